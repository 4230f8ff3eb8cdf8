"""Operations on lists of rows."""


class ShapeError(ValueError):
    pass


def shape(rows):
    return (len(rows), len(rows[0]) if rows else 0)


def transpose(rows):
    return [list(column) for column in zip(*rows)]


def matmul(a, b):
    """(n x m) @ (m x p) -> (n x p)."""
    n, m = shape(a)
    m2, p = shape(b)
    if m != m2:
        raise ShapeError(f"cannot multiply {n}x{m} by {m2}x{p}")
    return [[sum(a[i][k] * b[k][j] for k in range(m)) for j in range(m)] for i in range(n)]


def identity(size):
    return [[1 if i == j else 0 for j in range(size)] for i in range(size)]
