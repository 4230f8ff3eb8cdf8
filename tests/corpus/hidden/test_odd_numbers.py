"""Hidden checks for odd_numbers: zero and negative evens."""
from prog import evens


def test_zero_and_negatives():
    assert evens([-3, -2, 0, 1]) == [-2, 0]


def test_none_even():
    assert evens([1, 3, 5]) == []


def test_empty():
    assert evens([]) == []
