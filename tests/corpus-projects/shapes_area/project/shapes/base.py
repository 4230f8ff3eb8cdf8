"""The Shape interface and a bounding box."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    left: float
    bottom: float
    right: float
    top: float

    @property
    def area(self):
        return (self.right - self.left) * (self.top - self.bottom)


class Shape:
    def area(self):
        raise NotImplementedError

    def perimeter(self):
        raise NotImplementedError

    def bounding_box(self):
        raise NotImplementedError
