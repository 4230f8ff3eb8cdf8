"""Hidden checks for coldest_day: the smallest reading wherever it sits."""
from prog import coldest


def test_first_and_last():
    assert coldest([-5, 0, 5]) == -5
    assert coldest([5, 0, -7]) == -7


def test_single_and_equal():
    assert coldest([4]) == 4
    assert coldest([2, 2]) == 2
