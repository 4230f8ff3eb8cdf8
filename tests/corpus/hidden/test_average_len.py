"""Hidden checks for average_len: the mean of lists of other lengths."""
from prog import average


def test_single():
    assert average([5]) == 5


def test_four_values():
    assert average([1, 2, 3, 4]) == 2.5


def test_negatives():
    assert average([-2, -4]) == -3
