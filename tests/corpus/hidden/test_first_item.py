"""Hidden checks for first_item: first of one, first of many, none of none."""
from prog import first


def test_single():
    assert first(["x"]) == "x"


def test_falsy_first_item():
    assert first([0, 1]) == 0


def test_empty_tuple():
    assert first(()) is None
