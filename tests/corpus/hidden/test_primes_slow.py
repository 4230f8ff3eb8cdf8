"""Hidden checks for primes_slow: squares of primes and small counts (fast)."""
from prog import count_primes, is_prime


def test_squares_of_primes_are_not_prime():
    assert not any(is_prime(n) for n in (4, 9, 25, 121, 169))


def test_primes_near_squares():
    assert is_prime(23) and is_prime(29) and is_prime(2)


def test_counts():
    assert count_primes(100) == 25
    assert count_primes(2) == 0
