import pytest

from linalg import Matrix
from linalg.ops import ShapeError


class TestSquare:
    def test_multiply(self):
        assert Matrix([[1, 2], [3, 4]]) @ Matrix([[5, 6], [7, 8]]) == Matrix([[19, 22], [43, 50]])

    def test_identity_power(self):
        assert Matrix([[2, 0], [0, 3]]).power(3) == Matrix([[8, 0], [0, 27]])

    def test_transpose(self):
        assert Matrix([[1, 2], [3, 4]]).T == Matrix([[1, 3], [2, 4]])


@pytest.mark.shapes
class TestRectangular:
    def test_row_times_column(self):
        assert (Matrix([[1, 2, 3]]) @ Matrix([[4], [5], [6]])).rows == [[32]]

    def test_two_by_three_times_three_by_two(self):
        a = Matrix([[1, 0, 2], [0, 1, 1]])
        b = Matrix([[1, 2], [3, 4], [5, 6]])
        assert (a @ b).shape == (2, 2)

    def test_mismatch(self):
        with pytest.raises(ShapeError):
            Matrix([[1, 2]]) @ Matrix([[1, 2]])

    def test_ragged(self):
        with pytest.raises(ShapeError):
            Matrix([[1], [1, 2]])
