"""The server's work queue: at most `limit` loops at once, the rest wait their turn in order.

Every loop (fix, generate tests, task, run file, run tests) opens sandboxes and starts
processes; fifty of them at once took 628 processes and 2.9 GB. `WorkQueue.run` holds the work
until a slot is free (default: one per core, `FIXLOOP_MAX_CONCURRENT` overrides), tells the
caller it is queued and how many are ahead, and runs it through `finish`: the first cancel
reaches the work once, and later cancels (a storm of `fixloop.cancel`, `$/cancelRequest`, edits)
wait for its clean-up instead of interrupting it. Work cancelled while it waits never starts.
Code actions never pass through here, so they stay fast while loops queue.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fixloop.sandbox.cleanup import finish

log = logging.getLogger(__name__)
T = TypeVar("T")
LIMIT_VARIABLE = "FIXLOOP_MAX_CONCURRENT"


def default_limit() -> int:
    """FIXLOOP_MAX_CONCURRENT when it is a positive integer, else the cores this process may use."""
    raw = os.environ.get(LIMIT_VARIABLE, "").strip()
    if raw:
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value > 0:
            return value
        log.warning("%s=%r is not a positive integer; using the core count", LIMIT_VARIABLE, raw)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class WorkQueue:
    """First come, first served slots for loops; see the module doc."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = max(1, limit if limit is not None else default_limit())
        self.running = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    @property
    def queued(self) -> int:
        return sum(1 for ticket in self._waiting if not ticket.done())

    async def _acquire(self, on_queued: Callable[[str], None] | None) -> None:
        if self.running < self.limit and not self._waiting:
            self.running += 1
            return
        loop = asyncio.get_running_loop()
        ticket: asyncio.Future[None] = loop.create_future()
        _tell(
            on_queued,
            f"queued: {self.queued} waiting ahead, {self.running} running "
            f"(at most {self.limit} at once)",
        )
        queued_at = loop.time()
        self._waiting.append(ticket)
        try:
            await ticket
        except asyncio.CancelledError:
            if ticket.done() and not ticket.cancelled():
                self._release()  # the slot reached us just as we were cancelled: pass it on
            else:
                self._waiting.remove(ticket)
            raise
        _tell(on_queued, f"started after {loop.time() - queued_at:.1f}s in the queue")

    def _release(self) -> None:
        while self._waiting:
            ticket = self._waiting.popleft()
            if not ticket.done():
                ticket.set_result(None)  # the slot passes straight to the next in line
                return
        self.running -= 1

    async def run(
        self, work: Coroutine[Any, Any, T], on_queued: Callable[[str], None] | None = None
    ) -> T:
        """Run `work` when a slot is free; `on_queued(message)` is called if it has to wait."""
        try:
            await self._acquire(on_queued)
        except BaseException:
            work.close()  # cancelled while waiting: the work never started
            raise
        try:
            return await finish(work, forward_cancel=True)
        finally:
            self._release()


def _tell(on_queued: Callable[[str], None] | None, message: str) -> None:
    """Report the queue state; a progress report that fails must not lose a slot."""
    if on_queued is None:
        return
    try:
        on_queued(message)
    except Exception:
        log.exception("reporting the queue state failed")
