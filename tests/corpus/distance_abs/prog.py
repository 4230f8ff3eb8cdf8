def distance(a, b):
    """Distance between two points on a line."""
    return a - b
