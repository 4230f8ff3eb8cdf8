"""Hidden checks for unique_items: first occurrences, in order."""
from prog import unique


def test_empty_and_single():
    assert unique([]) == []
    assert unique([4]) == [4]


def test_order_of_first_occurrence():
    assert unique([3, 1, 3, 2, 1]) == [3, 1, 2]


def test_all_equal():
    assert unique(["a", "a", "a"]) == ["a"]
