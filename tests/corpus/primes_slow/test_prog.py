from prog import is_prime, count_primes

def test_square_of_prime():
    assert not is_prime(49)

def test_small():
    assert [n for n in range(12) if is_prime(n)] == [2, 3, 5, 7, 11]

def test_many():
    # deliberately heavy: a couple of seconds of work per run
    assert count_primes(400000) == 33860
