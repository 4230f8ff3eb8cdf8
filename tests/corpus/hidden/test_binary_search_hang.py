"""Hidden checks for binary_search_hang: every position, absent values on both sides."""
from prog import find


def test_every_position():
    values = [2, 4, 6, 8, 10, 12]
    assert [find(values, v) for v in values] == [0, 1, 2, 3, 4, 5]


def test_absent_values():
    values = [2, 4, 6, 8]
    assert [find(values, v) for v in (1, 3, 5, 7, 9)] == [-1, -1, -1, -1, -1]


def test_empty_and_single():
    assert find([], 3) == -1
    assert find([3], 3) == 0
    assert find([3], 4) == -1
