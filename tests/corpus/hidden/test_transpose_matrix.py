"""Hidden checks for transpose_matrix: rectangular matrices both ways."""
from prog import transpose


def test_wide():
    assert transpose([[1, 2, 3], [4, 5, 6]]) == [[1, 4], [2, 5], [3, 6]]


def test_tall():
    assert transpose([[1], [2], [3]]) == [[1, 2, 3]]


def test_single():
    assert transpose([[7]]) == [[7]]
