"""Print today's low-stock alerts and the purchase orders to send.

Usage: python check_stock.py [STOCK.csv]
"""

import sys
from pathlib import Path

from alerts.load import read_stock
from alerts.rules import below_minimum, purchase_orders


def main(argv):
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent / "data" / "stock.csv"
    items = read_stock(path)
    low = below_minimum(items)
    print(f"{len(low)} of {len(items)} items below minimum")
    for item in low:
        print(f"  {item.name}: {item.on_hand} (min {item.minimum})")
    for supplier, lines in sorted(purchase_orders(items).items()):
        print(f"order from {supplier}:")
        for name, quantity in lines:
            print(f"  {quantity:>4} x {name}")


if __name__ == "__main__":
    main(sys.argv)
