"""Hidden checks for missing_paren: the area is never negative."""
from prog import area


def test_both_negative():
    assert area(-2, -5) == 10


def test_zero():
    assert area(0, 9) == 0


def test_positive():
    assert area(2, 3) == 6
