"""@memoize(capacity): cache a function's results by its positional arguments."""

import functools

from memo.lru import LRUCache

_MISSING = object()


def memoize(capacity=128):
    def wrap(func):
        cache = LRUCache(capacity)

        @functools.wraps(func)
        def cached(*args):
            value = cache.get(args, _MISSING)
            if value is _MISSING:
                value = func(*args)
                cache.put(args, value)
            return value

        cached.cache = cache
        return cached

    return wrap
