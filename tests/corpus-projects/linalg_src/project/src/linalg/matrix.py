"""A thin Matrix class over the list-of-rows operations."""

from linalg import ops


class Matrix:
    def __init__(self, rows):
        widths = {len(row) for row in rows}
        if len(widths) > 1:
            raise ops.ShapeError("rows of different lengths")
        self.rows = [list(row) for row in rows]

    @property
    def shape(self):
        return ops.shape(self.rows)

    def __matmul__(self, other):
        return Matrix(ops.matmul(self.rows, other.rows))

    def __eq__(self, other):
        return isinstance(other, Matrix) and self.rows == other.rows

    def __repr__(self):
        return f"Matrix({self.rows})"

    @property
    def T(self):
        return Matrix(ops.transpose(self.rows))

    def power(self, exponent):
        result = Matrix(ops.identity(self.shape[0]))
        for _ in range(exponent):
            result = result @ self
        return result
