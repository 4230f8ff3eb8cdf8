"""Hidden checks for distance_abs: symmetric and never negative."""
from prog import distance


def test_symmetric():
    assert distance(-3, 4) == distance(4, -3) == 7


def test_same_point():
    assert distance(6, 6) == 0


def test_negative_points():
    assert distance(-10, -2) == 8
