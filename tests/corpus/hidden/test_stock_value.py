"""Hidden checks for stock_value: the total quantity."""
from prog import stock_value


def test_empty():
    assert stock_value({}) == 0


def test_single():
    assert stock_value({"screws": 250}) == 250
