"""Print the weekly sales report from data/sales.csv (or the CSV file given)."""

import sys
from pathlib import Path

from salesreport.aggregate import best_sellers, region_shares
from salesreport.fmt import heading, money, share_line
from salesreport.load import load_sales


def main(argv):
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent / "data" / "sales.csv"
    sales = load_sales(path)
    print(heading(f"Sales report ({len(sales)} lines)"))
    for region, revenue, share in region_shares(sales):
        print(share_line(region, revenue, share))
    print(f"{'total':<8}{money(sum(s.revenue for s in sales))}")
    print(heading("Best sellers (units)"))
    for product, units in best_sellers(sales):
        print(f"{product:<20}{units:>6}")


if __name__ == "__main__":
    main(sys.argv)
