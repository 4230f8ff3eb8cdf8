import pytest

from prog import OrderError, order_total, parse_line


def test_parse():
    assert parse_line("2 Baguette").quantity == 2


def test_total():
    assert order_total(["2 baguette", "1 sourdough"]) == 6.9


def test_negative_quantity_message():
    with pytest.raises(OrderError, match="got -3 for croissant"):
        parse_line("-3 croissant")
