"""Hidden checks for factorial_base: the first factorials."""
from prog import factorial


def test_first_values():
    assert [factorial(n) for n in range(7)] == [1, 1, 2, 6, 24, 120, 720]
