"""Hidden checks for return_invoice_total: discounts, rounding and empty invoices."""
from prog import format_invoice, invoice_total


def test_discount_applies():
    assert invoice_total([(10.0, 2), (5.0, 1)], discount=0.1) == 27.0


def test_rounding_to_cents():
    assert invoice_total([(0.99, 3)]) == 3.56


def test_empty_invoice():
    assert invoice_total([]) == 0


def test_full_discount():
    assert format_invoice([(7.0, 1)], discount=1.0) == "Total due: 0.00 EUR"
