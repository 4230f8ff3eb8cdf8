"""Hidden checks for middle_element: the upper middle of even lengths."""
from prog import middle


def test_single():
    assert middle(["x"]) == "x"


def test_two():
    assert middle([1, 2]) == 2


def test_five():
    assert middle([1, 2, 3, 4, 5]) == 3
