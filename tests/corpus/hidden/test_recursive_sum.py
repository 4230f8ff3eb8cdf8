"""Hidden checks for recursive_sum: sums of other lists."""
from prog import total


def test_single():
    assert total([4]) == 4


def test_negatives():
    assert total([-1, -2, 10]) == 7
