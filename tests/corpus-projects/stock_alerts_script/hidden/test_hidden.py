"""Hidden checks for stock_alerts_script: the printed report and orders on other data."""
import subprocess
import sys
from pathlib import Path

from alerts.load import Item
from alerts.rules import purchase_orders

ROOT = Path(__file__).resolve().parents[1]


def test_report():
    done = subprocess.run(
        [sys.executable, "check_stock.py"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "4 of 6 items below minimum",
        "  oat milk: 4 (min 12)",
        "  espresso beans: 2 (min 5)",
        "  almond milk: 0 (min 6)",
        "  lids: 120 (min 200)",
        "order from Dairyfree Ltd:",
        "    12 x oat milk",
        "     6 x almond milk",
        "order from PackCo:",
        "   250 x lids",
        "order from Roastery Nord:",
        "     4 x espresso beans",
    ]


def test_nothing_low():
    assert purchase_orders([Item("tea", "T", 10, 5, 10)]) == {}


def test_two_items_one_supplier_keep_their_order():
    items = [Item("b", "S", 0, 1, 1), Item("a", "S", 0, 2, 2)]
    assert purchase_orders(items) == {"S": [("b", 1), ("a", 2)]}
