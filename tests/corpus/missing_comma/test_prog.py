from prog import small_primes

def test_primes():
    assert small_primes(8) == [2, 3, 5, 7]
