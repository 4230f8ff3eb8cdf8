"""A floor plan: named rooms and their total floor area."""


def floor_area(rooms):
    """Total area of {name: shape} rounded to 0.01 m²."""
    return round(sum(shape.area() for shape in rooms.values()), 2)


def largest_room(rooms):
    return max(rooms, key=lambda name: rooms[name].area())
