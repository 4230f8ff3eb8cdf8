from datetime import date
from decimal import Decimal

from ledger.parse import parse_amount, parse_row


def test_amount_with_thousands_separator():
    assert parse_amount("1,200.50") == Decimal("1200.50")


def test_row_defaults_category():
    row = {"date": "2024-03-27", "description": " Cinema ", "category": "", "amount": "-24.00"}
    tx = parse_row(row)
    assert (tx.day, tx.description, tx.category, tx.amount) == (
        date(2024, 3, 27), "Cinema", "other", Decimal("-24.00"),
    )
