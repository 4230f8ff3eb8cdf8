"""Hidden checks for cart_total: price times quantity, not any other mix of the two."""
from prog import cart_total


def test_single_line():
    assert cart_total([(3, 2)]) == 6


def test_zero_quantity():
    assert cart_total([(9, 0), (1, 1)]) == 1


def test_many_lines():
    assert cart_total([(1, 10), (2, 5), (4, 1)]) == 24
