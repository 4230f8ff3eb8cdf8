"""Hidden checks for shapes_area: both windings, degenerate and shifted polygons."""
import pytest

from shapes.polygons import Polygon

SQUARE = [(0, 0), (2, 0), (2, 2), (0, 2)]


def test_both_windings_agree():
    assert Polygon(SQUARE).area() == Polygon(SQUARE[::-1]).area() == 4


def test_area_is_never_negative():
    assert Polygon([(0, 0), (0, 1), (1, 0)]).area() == 0.5


def test_shifted_far_from_the_origin():
    assert Polygon([(x + 1000, y - 500) for x, y in reversed(SQUARE)]).area() == pytest.approx(4)


def test_collinear_points_have_no_area():
    assert Polygon([(0, 0), (1, 1), (2, 2)]).area() == 0
