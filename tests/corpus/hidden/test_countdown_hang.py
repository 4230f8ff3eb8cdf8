"""Hidden checks for countdown_hang: triangular numbers and a negative start."""
from prog import triangle


def test_small_values():
    assert [triangle(n) for n in range(1, 6)] == [1, 3, 6, 10, 15]


def test_negative_start_is_zero():
    assert triangle(-4) == 0
