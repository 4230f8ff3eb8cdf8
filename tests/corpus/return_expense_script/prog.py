"""Travel expenses for a team trip: totals per category and per person, printed as a report."""

from collections import defaultdict

EXPENSES = [
    ("ana", "train", 89.50),
    ("bo", "hotel", 240.00),
    ("ana", "meals", 31.20),
    ("cy", "train", 89.50),
    ("bo", "meals", 27.80),
    ("cy", "hotel", 240.00),
]


def totals_by(expenses, field):
    """Sum of amounts grouped by field 0 (person) or field 1 (category)."""
    totals = defaultdict(float)
    for expense in expenses:
        totals[expense[field]] += expense[2]


def print_section(title, totals):
    print(title)
    for key, amount in sorted(totals.items()):
        print(f"  {key:<8}{amount:>8.2f}")


def main():
    print(f"{len(EXPENSES)} expenses")
    print_section("by category", totals_by(EXPENSES, 1))
    print_section("by person", totals_by(EXPENSES, 0))
    print(f"grand total {sum(amount for *_, amount in EXPENSES):.2f}")


if __name__ == "__main__":
    main()
