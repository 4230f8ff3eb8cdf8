import pytest

from reconcile.match import Invoice, Payment, reconcile
from reconcile.money import cents, normalise_reference

INVOICES = [Invoice("INV-41", 12000), Invoice("INV-42", 5550), Invoice("INV-43", 990)]


def test_exact_match():
    result = reconcile(INVOICES, [Payment("INV-42", 5550, "Acme")])
    assert [ref for ref, _ in result.matched] == ["INV-42"]
    assert result.open_invoices == ["INV-41", "INV-43"]


def test_hand_typed_reference():
    result = reconcile(INVOICES, [Payment("inv 0041", 12000)])
    assert result.matched[0][0] == "INV-41"


@pytest.mark.partial
def test_partial_payment_leaves_the_invoice_open():
    result = reconcile(INVOICES, [Payment("INV-43", 500), Payment("INV-41", 12000)])
    assert result.open_invoices == ["INV-42", "INV-43"]


@pytest.mark.parametrize("text, value", [("12.5", 1250), ("12,05", 1205), ("-3", -300), ("0.99", 99)])
def test_cents(text, value):
    assert cents(text) == value


def test_reference():
    assert normalise_reference("Inv-0007") == "INV-7"
