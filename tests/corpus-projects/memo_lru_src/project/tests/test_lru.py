import pytest

from memo import LRUCache, memoize


class TestBasics:
    def test_get_and_put(self):
        cache = LRUCache(2)
        cache.put("a", 1)
        assert cache.get("a") == 1 and cache.get("b") is None

    def test_capacity_is_respected(self):
        cache = LRUCache(2)
        for key in "abc":
            cache.put(key, key.upper())
        assert len(cache) == 2

    def test_bad_capacity(self):
        with pytest.raises(ValueError):
            LRUCache(0)


class TestEviction:
    def test_oldest_goes_first(self):
        cache = LRUCache(2)
        cache.put("a", 1)
        cache.put("b", 2)
        cache.put("c", 3)
        assert "a" not in cache and "c" in cache

    def test_read_refreshes(self):
        cache = LRUCache(2)
        cache.put("a", 1)
        cache.put("b", 2)
        cache.get("a")
        cache.put("c", 3)
        assert cache.keys() == ["a", "c"]


class TestMemoize:
    def test_calls_once_per_argument(self):
        calls = []

        @memoize(capacity=4)
        def square(n):
            calls.append(n)
            return n * n

        assert [square(n) for n in (2, 3, 2, 2)] == [4, 9, 4, 4]
        assert calls == [2, 3]
        assert square.cache.stats.hit_rate == 0.5
