"""Hidden checks for reconcile_src: exactly the payments that settle nothing are unmatched."""
from reconcile.match import Invoice, Payment, reconcile

INVOICES = [Invoice("INV-1", 100), Invoice("INV-2", 200)]


def test_matched_payment_is_not_unmatched():
    paid = Payment("INV-1", 100)
    result = reconcile(INVOICES, [paid])
    assert result.unmatched == []


def test_mixed_batch():
    stray, short, good = Payment("XYZ-9", 50), Payment("INV-2", 150), Payment("INV-1", 100)
    result = reconcile(INVOICES, [stray, short, good])
    assert result.unmatched == [stray, short]
    assert [p for _, p in result.matched] == [good]


def test_no_payments():
    assert reconcile(INVOICES, []) == reconcile(INVOICES, [])
    assert reconcile(INVOICES, []).open_invoices == ["INV-1", "INV-2"]


def test_nothing_matches():
    result = reconcile(INVOICES, [Payment("INV-1", 99)])
    assert (result.matched, len(result.unmatched)) == ([], 1)


def test_second_payment_for_a_settled_invoice():
    result = reconcile(INVOICES, [Payment("INV-1", 100), Payment("INV-1", 100)])
    assert len(result.matched) == 1 and len(result.unmatched) == 1
