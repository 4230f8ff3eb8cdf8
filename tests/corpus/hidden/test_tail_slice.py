"""Hidden checks for tail_slice: everything but the first item."""
from prog import tail_sum


def test_empty():
    assert tail_sum([]) == 0


def test_two():
    assert tail_sum([9, 1]) == 1


def test_long():
    assert tail_sum([1, 2, 3, 4]) == 9
