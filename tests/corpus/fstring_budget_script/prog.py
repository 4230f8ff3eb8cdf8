"""Monthly budget report: print one line per category, then check the lines add up."""

EXPENSES = [
    ("rent", 950.00),
    ("groceries", 312.45),
    ("transport", 86.10),
    ("groceries", 47.80),
    ("utilities", 120.00),
]


def totals_by_category(expenses):
    totals = {}
    for category, amount in expenses:
        totals[category] = totals.get(category, 0.0) + amount
    return totals


def report_lines(totals):
    lines = []
    for category in sorted(totals):
        amount = totals[category]
        lines.append("{category:<12}{amount:>10.2f}")
    return lines


def parse_amount(line):
    return float(line[12:])


def main():
    print("budget for the month")
    lines = report_lines(totals_by_category(EXPENSES))
    # The printed amounts must add up to the total, to the cent.
    checked = round(sum(parse_amount(line) for line in lines), 2)
    for line in lines:
        print(line)
    print(f"{'total':<12}{checked:>10.2f}")


if __name__ == "__main__":
    main()
