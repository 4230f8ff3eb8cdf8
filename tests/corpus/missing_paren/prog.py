def area(width, height):
    return abs((width * height)
