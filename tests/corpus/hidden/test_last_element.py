"""Hidden checks for last_element: the last item of lists of any length."""
from prog import last


def test_single():
    assert last([4]) == 4


def test_longer():
    assert last([1, 2, 3, 4, 5]) == 5


def test_strings():
    assert last(["a", "b"]) == "b"
