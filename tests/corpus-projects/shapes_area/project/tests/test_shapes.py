import pytest

from shapes.plan import floor_area, largest_room
from shapes.polygons import Polygon, Rectangle


class TestRectangle:
    def test_area(self):
        assert Rectangle(0, 0, 4, 3).area() == 12

    def test_perimeter(self):
        assert Rectangle(1, 1, 2, 5).perimeter() == 14

    def test_bounding_box(self):
        assert Rectangle(-1, 2, 3, 3).bounding_box().area == 9


@pytest.mark.polygons
class TestPolygon:
    def test_triangle(self):
        assert Polygon([(0, 0), (4, 0), (0, 3)]).area() == 6

    def test_clockwise_l_shape(self):
        l_shape = Polygon([(0, 0), (0, 4), (2, 4), (2, 2), (5, 2), (5, 0)])
        assert l_shape.area() == 14

    def test_too_few_vertices(self):
        with pytest.raises(ValueError):
            Polygon([(0, 0), (1, 1)])


def test_floor_plan():
    rooms = {"kitchen": Rectangle(0, 0, 3, 4), "hall": Polygon([(3, 0), (3, 2), (5, 2), (5, 0)])}
    assert (floor_area(rooms), largest_room(rooms)) == (16, "kitchen")
