"""Small dense matrices in pure Python, for the teaching notebooks."""

from linalg.matrix import Matrix

__all__ = ["Matrix"]
