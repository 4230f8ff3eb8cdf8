"""Print the household's monthly report and check it against the bank statement.

Usage: python monthly_report.py [EXPORT.csv] [STATEMENT.txt]
"""

import sys
from pathlib import Path

from ledger.parse import read_statement, read_transactions
from ledger.report import biggest_expenses, closing_balance, monthly_totals

DATA = Path(__file__).parent / "data"


def main(argv):
    export = Path(argv[1]) if len(argv) > 1 else DATA / "transactions.csv"
    statement = Path(argv[2]) if len(argv) > 2 else DATA / "statement.txt"
    transactions = read_transactions(export)
    opening, expected = read_statement(statement)

    print(f"{len(transactions)} transactions")
    for month, (money_in, money_out) in sorted(monthly_totals(transactions).items()):
        print(f"{month}  in {money_in:>9}  out {money_out:>9}")
    for tx in biggest_expenses(transactions):
        print(f"big: {tx.day} {tx.description} {tx.amount}")

    closing = closing_balance(opening, transactions)
    if closing != expected:
        sys.exit(f"closing balance {closing} does not match the statement's {expected}")
    print(f"closing balance {closing} matches the statement")


if __name__ == "__main__":
    main(sys.argv)
