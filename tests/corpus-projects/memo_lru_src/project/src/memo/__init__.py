"""A small LRU cache with hit statistics, and a memoising decorator."""

from memo.lru import LRUCache
from memo.decorate import memoize

__all__ = ["LRUCache", "memoize"]
