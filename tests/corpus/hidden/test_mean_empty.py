"""Hidden checks for mean_empty: means of other lists, empty still 0."""
from prog import mean


def test_single():
    assert mean([5]) == 5


def test_symmetric():
    assert mean([-1, 1]) == 0


def test_fraction():
    assert mean([1, 2]) == 1.5


def test_empty_tuple():
    assert mean(()) == 0
