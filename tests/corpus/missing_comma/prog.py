PRIMES = [2, 3, 5 7, 11]

def small_primes(limit):
    return [p for p in PRIMES if p < limit]
