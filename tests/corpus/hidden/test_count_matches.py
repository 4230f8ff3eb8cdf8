"""Hidden checks for count_matches: strictly over the limit, starting from zero."""
from prog import count_over


def test_equal_is_not_over():
    assert count_over([4, 4, 5], 4) == 1


def test_all_and_none():
    assert count_over([5, 6, 7], 1) == 3
    assert count_over([1, 2], 9) == 0


def test_single():
    assert count_over([10], 9) == 1
