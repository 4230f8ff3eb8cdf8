import asyncio

from prog import AsyncCache, upper_loader


def test_get_loads_the_value():
    cache = AsyncCache(upper_loader)
    assert asyncio.run(cache.get("a")) == "A"


def test_warm_lists_the_keys():
    cache = AsyncCache(upper_loader)
    assert asyncio.run(cache.warm(["b", "a", "c"])) == ["a", "b", "c"]
