"""Hidden checks for largest_value: the maximum at any position."""
from prog import largest


def test_first_and_last():
    assert largest([9, 1, 2]) == 9
    assert largest([1, 2, 3, 4, 50]) == 50


def test_two_values():
    assert largest([1, 2]) == 2


def test_negatives():
    assert largest([-5, -2, -9]) == -2
