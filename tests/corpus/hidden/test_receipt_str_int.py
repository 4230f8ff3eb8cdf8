"""Hidden checks for receipt_str_int: other amounts."""
from prog import receipt_line


def test_zero():
    assert receipt_line("gift", 0) == "gift: 0 cents"


def test_large():
    assert receipt_line("bike", 125000) == "bike: 125000 cents"
