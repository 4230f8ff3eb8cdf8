"""Hidden checks for memo_lru_src: eviction order over longer sequences, capacity one."""
from memo import LRUCache, memoize


def test_capacity_one_keeps_the_newest():
    cache = LRUCache(1)
    cache.put("x", 1)
    cache.put("y", 2)
    assert cache.keys() == ["y"] and cache.get("y") == 2


def test_update_refreshes_without_eviction():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 10)
    cache.put("c", 3)
    assert cache.keys() == ["a", "c"] and cache.get("a") == 10
    assert cache.stats.evictions == 1


def test_fibonacci_with_a_small_cache():
    calls = []

    @memoize(capacity=3)
    def fib(n):
        calls.append(n)
        return n if n < 2 else fib(n - 1) + fib(n - 2)

    assert fib(25) == 75025
    assert len(calls) == 26
