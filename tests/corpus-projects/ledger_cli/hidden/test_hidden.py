"""Hidden checks for ledger_cli: the whole report, and closing balances of other lists."""
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from ledger.parse import Transaction
from ledger.report import closing_balance

ROOT = Path(__file__).resolve().parents[1]


def tx(amount):
    return Transaction(date(2024, 1, 1), "x", "other", Decimal(amount))


def test_report_output():
    done = subprocess.run(
        [sys.executable, "monthly_report.py"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "11 transactions",
        "2024-03  in   2850.00  out   1222.35",
        "2024-04  in   2869.99  out   1187.05",
        "big: 2024-03-02 Rent -950.00",
        "big: 2024-04-02 Rent -950.00",
        "big: 2024-04-08 Bike repair -145.90",
        "closing balance 4514.76 matches the statement",
    ]


def test_closing_of_no_transactions():
    assert closing_balance(Decimal("10"), []) == Decimal("10")


def test_closing_of_one_transaction():
    assert closing_balance(Decimal("10"), [tx("-2.5")]) == Decimal("7.5")
