"""Hidden checks for async_cache_get: hits do not reload, eviction drops the oldest."""
import asyncio

from prog import AsyncCache, upper_loader


def test_second_get_is_a_hit():
    cache = AsyncCache(upper_loader)

    async def twice():
        return [await cache.get("k"), await cache.get("k")]

    assert asyncio.run(twice()) == ["K", "K"]
    assert cache.loads == 1


def test_eviction_of_the_oldest():
    cache = AsyncCache(upper_loader, capacity=2)

    async def scenario():
        await cache.warm(["x", "y", "z"])
        return await cache.get("x")

    assert asyncio.run(scenario()) == "X"
    assert cache.loads == 4


def test_values_are_plain_strings():
    cache = AsyncCache(upper_loader)
    assert isinstance(asyncio.run(cache.get("v")), str)
