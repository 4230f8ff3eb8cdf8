"""Hidden checks for fibonacci_base: the start of the sequence."""
from prog import fib


def test_first_values():
    assert [fib(n) for n in range(9)] == [0, 1, 1, 2, 3, 5, 8, 13, 21]
