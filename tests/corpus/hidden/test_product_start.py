"""Hidden checks for product_start: products of other lists."""
from prog import product


def test_single():
    assert product([7]) == 7


def test_zero_inside():
    assert product([3, 0, 2]) == 0


def test_negatives():
    assert product([-1, -2, 3]) == 6
