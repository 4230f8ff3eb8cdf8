from prog import format_invoice, invoice_total


def test_total():
    assert invoice_total([(10.0, 2), (5.0, 1)]) == 30.0


def test_format():
    assert format_invoice([(2.5, 4)]) == "Total due: 12.00 EUR"
