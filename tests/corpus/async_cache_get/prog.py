"""A small bounded cache in front of an asynchronous loader (a database, an HTTP API...)."""

import asyncio


class AsyncCache:
    """Keeps up to `capacity` loaded values; the oldest entry goes first when it is full."""

    def __init__(self, loader, capacity=3):
        self._loader = loader
        self._capacity = capacity
        self._entries = {}
        self.loads = 0

    async def _load(self, key):
        self.loads += 1
        return await self._loader(key)

    async def get(self, key):
        if key not in self._entries:
            if len(self._entries) >= self._capacity:
                oldest = next(iter(self._entries))
                del self._entries[oldest]
            self._entries[key] = self._load(key)
        return self._entries[key]

    async def warm(self, keys):
        """Load every key ahead of time; returns the cached keys."""
        for key in keys:
            await self.get(key)
        return sorted(self._entries)


async def upper_loader(key):
    await asyncio.sleep(0)
    return key.upper()
