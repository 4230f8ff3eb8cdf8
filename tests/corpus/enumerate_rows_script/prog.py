"""Print a numbered table of the top sellers of the month, and the share of the best one."""

SALES = [
    ("espresso machine", 42, 189.0),
    ("grinder", 57, 64.5),
    ("milk jug", 120, 9.9),
    ("scale", 33, 24.0),
]


def revenue(row):
    _, units, price = row
    return units * price


def main():
    rows = sorted(SALES, key=revenue, reverse=True)
    total = sum(revenue(row) for row in rows)
    print(f"{'#':>2}  {'product':<18}{'revenue':>10}")
    for row, rank in enumerate(rows, 1):
        print(f"{rank:>2}  {row[0]:<18}{revenue(row):>10.2f}")
    best_share = revenue(rows[0]) / total
    print(f"best seller share: {best_share:.1%}")


if __name__ == "__main__":
    main()
