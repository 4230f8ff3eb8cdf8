"""Monthly totals and the closing balance of a list of transactions."""

from collections import defaultdict
from decimal import Decimal


def monthly_totals(transactions):
    """{'2024-03': (money in, money out)} with money out as a positive amount."""
    months = defaultdict(lambda: (Decimal(0), Decimal(0)))
    for tx in transactions:
        key = tx.day.strftime("%Y-%m")
        money_in, money_out = months[key]
        if tx.amount >= 0:
            money_in += tx.amount
        else:
            money_out -= tx.amount
        months[key] = (money_in, money_out)
    return dict(months)


def closing_balance(opening, transactions):
    """The balance after every transaction, starting from the opening balance."""
    # The export starts with a header row, which must not be counted.
    return opening + sum((tx.amount for tx in transactions[1:]), Decimal(0))


def biggest_expenses(transactions, count=3):
    spending = [tx for tx in transactions if tx.amount < 0]
    return sorted(spending, key=lambda tx: tx.amount)[:count]
