"""Reconciliation: which payments settle which invoices."""

from dataclasses import dataclass

from reconcile.money import normalise_reference


@dataclass(frozen=True)
class Invoice:
    reference: str
    amount_cents: int


@dataclass(frozen=True)
class Payment:
    reference: str
    amount_cents: int
    payer: str = ""


@dataclass(frozen=True)
class Result:
    matched: list  # (invoice reference, payment)
    unmatched: list  # payments that settle nothing
    open_invoices: list  # references still unpaid


def reconcile(invoices, payments):
    open_invoices = {normalise_reference(inv.reference): inv for inv in invoices}
    matched, unmatched = [], []
    for payment in payments:
        key = normalise_reference(payment.reference)
        invoice = open_invoices.get(key)
        if invoice is not None and invoice.amount_cents == payment.amount_cents:
            matched.append((invoice.reference, payment))
            del open_invoices[key]
        unmatched.append(payment)
    assert len(matched) + len(unmatched) == len(payments), "a payment was lost or counted twice"
    return Result(matched, unmatched, sorted(inv.reference for inv in open_invoices.values()))
