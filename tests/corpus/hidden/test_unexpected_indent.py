"""Hidden checks for unexpected_indent: every value doubled."""
from prog import double_all


def test_single():
    assert double_all([5]) == [10]


def test_negatives():
    assert double_all([-1, 0, 1]) == [-2, 0, 2]
