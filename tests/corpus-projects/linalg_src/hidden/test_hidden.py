"""Hidden checks for linalg_src: products of every shape, and algebraic properties."""
from linalg import Matrix


def test_column_times_row_is_an_outer_product():
    assert (Matrix([[1], [2]]) @ Matrix([[3, 4, 5]])).rows == [[3, 4, 5], [6, 8, 10]]


def test_two_by_three_times_three_by_two_values():
    a = Matrix([[1, 0, 2], [0, 1, 1]])
    b = Matrix([[1, 2], [3, 4], [5, 6]])
    assert (a @ b).rows == [[11, 14], [8, 10]]


def test_transpose_of_a_product():
    a = Matrix([[1, 2, 3], [4, 5, 6]])
    b = Matrix([[1, 0], [2, 1], [0, 3]])
    assert (a @ b).T == b.T @ a.T


def test_one_by_four_times_four_by_three():
    a = Matrix([[1, 1, 1, 1]])
    b = Matrix([[1, 2, 3]] * 4)
    assert (a @ b).rows == [[4, 8, 12]]
