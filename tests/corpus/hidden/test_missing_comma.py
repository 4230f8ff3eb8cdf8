"""Hidden checks for missing_comma: the bound is exclusive and every prime is there."""
from prog import PRIMES, small_primes


def test_table():
    assert PRIMES == [2, 3, 5, 7, 11]


def test_bounds():
    assert small_primes(7) == [2, 3, 5]
    assert small_primes(12) == [2, 3, 5, 7, 11]
    assert small_primes(2) == []
