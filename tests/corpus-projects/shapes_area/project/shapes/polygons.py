"""Polygons given by their vertices, in either winding order."""

import math

from shapes.base import Box, Shape


class Polygon(Shape):
    def __init__(self, vertices):
        if len(vertices) < 3:
            raise ValueError("a polygon needs at least three vertices")
        self.vertices = [tuple(map(float, v)) for v in vertices]

    def _edges(self):
        return zip(self.vertices, self.vertices[1:] + self.vertices[:1])

    def area(self):
        """Shoelace formula; the same for clockwise and counter-clockwise vertices."""
        twice = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in self._edges())
        return twice / 2

    def perimeter(self):
        return sum(math.dist(a, b) for a, b in self._edges())

    def bounding_box(self):
        xs = [x for x, _ in self.vertices]
        ys = [y for _, y in self.vertices]
        return Box(min(xs), min(ys), max(xs), max(ys))


class Rectangle(Polygon):
    def __init__(self, left, bottom, width, height):
        super().__init__([(left, bottom), (left + width, bottom), (left + width, bottom + height), (left, bottom + height)])
