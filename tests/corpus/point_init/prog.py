class Point:
    def __init__(self, x, y):
        self.x = x

    def norm1(self):
        return abs(self.x) + abs(self.y)
