"""`parse`: `ast.parse` behind one process-wide lock, for code that may parse in several threads.

CPython 3.11 keeps the recursion depth of its AST conversion in interpreter-wide state, so two
threads inside `ast.parse` at once (a loop's guards on the event loop while test discovery parses
in a worker thread, or two loops in the bench's thread pool) can fail with "SystemError: AST
constructor recursion depth mismatch". One parse at a time avoids it; a parse takes
milliseconds, so the lock is never held long.
"""

from __future__ import annotations

import ast
import threading
from typing import Literal, overload

_LOCK = threading.Lock()


@overload
def parse(source: str, filename: str = ..., mode: Literal["exec"] = ...) -> ast.Module: ...


@overload
def parse(source: str, filename: str = ..., *, mode: Literal["eval"]) -> ast.Expression: ...


def parse(source: str, filename: str = "<unknown>", mode: str = "exec") -> ast.AST:
    """`ast.parse(source, filename, mode)`, one thread at a time."""
    with _LOCK:
        return ast.parse(source, filename, mode)
