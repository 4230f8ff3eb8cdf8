"""Awaiting work whose clean-up must not be cut short by a second (or hundredth) cancel.

`Task.cancel()` interrupts whatever the task awaits at that moment, a `finally:` block's
clean-up included. A storm of cancels (the user's Cancel, `fixloop.cancel`, `$/cancelRequest`,
an edit, all at once) would then interrupt the kill of a process tree or the close of a sandbox
halfway, and leave zombies and waiting zygotes behind. `finish()` runs the work as its own task
and waits for its end however often the caller is cancelled: with `forward_cancel`, the first
cancel reaches the work once (so it stops and cleans up undisturbed), without it the work is
not disturbed at all (a clean-up itself). The caller's cancel is re-raised once the work is done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def finish(awaitable: Awaitable[T], *, forward_cancel: bool = False) -> T:
    """The result of `awaitable`, awaited to its end; see the module doc."""
    task = asyncio.ensure_future(awaitable)
    cancelled = False
    while not task.done():
        try:
            await asyncio.wait({task})
        except asyncio.CancelledError:
            if forward_cancel and not cancelled:
                task.cancel()
            cancelled = True
    if cancelled:
        if not task.cancelled():
            task.exception()  # retrieved here: the cancel wins over whatever the work raised
        raise asyncio.CancelledError
    return task.result()


async def shielded(awaitable: Awaitable[T]) -> T:
    """`finish` without forwarding: for clean-up that must run to its end."""
    return await finish(awaitable, forward_cancel=False)
