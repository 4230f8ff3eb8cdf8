"""Hidden checks for missing_colon: the sign of other numbers."""
from prog import sign


def test_neighbours_of_zero():
    assert [sign(-1), sign(0), sign(1)] == [-1, 0, 1]


def test_floats():
    assert [sign(-0.5), sign(0.0), sign(2.5)] == [-1, 0, 1]
