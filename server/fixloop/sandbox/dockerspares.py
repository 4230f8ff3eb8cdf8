"""The spare execs of one docker sandbox: started ahead, each as a uid of its own, for one run.

Starting an exec costs the engine tens of milliseconds, so runs take an exec that is already
waiting on its stdin. Two kinds wait. A plain spare is a shell that reads the run's order
(arguments and environment) and becomes the run's wrapper: it serves any run. A warm spare has
also set the limits and environment of the runs it expects and started `python -c BOOT` (see
`warmpython` and `dockerrun.WARM_SPARE`), which takes the container's Python start (about
10 ms) off a `python FILE` run such as Run File. It serves only a run whose environment and
limits are those it started with (`dockerrun.warm_profile`): the profile the last `warm()`
named or, failing that, the first script run's. A run of another profile (a repair proof with
a hash seed of its own, a test run) takes a plain spare, and the warm ones stay for the runs
they fit. Only a sandbox shared by a long-lived process keeps warm spares; a one-off run would
pay for a spare it never uses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fixloop.sandbox.base import RunSpec
from fixloop.sandbox.dockerrun import SpareExec, WarmProfile, warm_profile

SPARES = 2  # of each kind, per network mode

# Starts one spare for a network mode: a plain one, or a warm one for runs like the spec.
StartSpare = Callable[[bool, RunSpec | None], asyncio.Future[SpareExec]]


class SparePool:
    """The waiting spare execs of one sandbox, plain and warm, per network mode."""

    def __init__(self, start: StartSpare, free_uids: Callable[[], int]) -> None:
        self._start = start
        self._free_uids = free_uids
        self.plain: dict[bool, list[asyncio.Future[SpareExec]]] = {}
        self.warm: dict[bool, list[asyncio.Future[SpareExec]]] = {}
        self._expected: dict[bool, tuple[WarmProfile, RunSpec]] = {}

    def expect(self, spec: RunSpec) -> None:
        """Runs like `spec` (a script run) are expected: warm spares made for another profile
        of its network mode are ended, and those started from here on are made for this one."""
        profile = warm_profile(spec)
        if profile is None or profile == self._expected_profile(spec.network):
            return
        self._expected[spec.network] = (profile, spec)
        for future in self.warm.pop(spec.network, []):
            _end_later(future)

    async def take(self, spec: RunSpec, *, warm: bool) -> SpareExec:
        """A spare for `spec`: a warm one when `warm` allows and one fits, else a plain one
        (started now when none waits)."""
        profile = warm_profile(spec) if warm else None
        if profile is not None:
            if self._expected_profile(spec.network) is None:
                self.expect(spec)
            if profile == self._expected_profile(spec.network):
                spare = await _take_from(self.warm.get(spec.network, []))
                if spare is not None:
                    return spare
        spare = await _take_from(self.plain.get(spec.network, []))
        return spare if spare is not None else await self._start(spec.network, None)

    def _expected_profile(self, network: bool) -> WarmProfile | None:
        expected = self._expected.get(network)
        return expected[0] if expected is not None else None

    def top_up(self, network: bool, *, warm: bool) -> None:
        """Start spares up to the count of each kind; spares never starve runs of uids."""
        plain = self.plain.setdefault(network, [])
        while len(plain) < SPARES and self._free_uids() > SPARES:
            plain.append(self._start(network, None))
        if not warm or network not in self._expected:
            return
        template = self._expected[network][1]
        waiting = self.warm.setdefault(network, [])
        while len(waiting) < SPARES and self._free_uids() > SPARES:
            waiting.append(self._start(network, template))

    def waiting(self) -> list[asyncio.Future[SpareExec]]:
        return [
            future for pool in (self.plain, self.warm) for kind in pool.values() for future in kind
        ]

    async def close(self) -> None:
        """End every spare (removing the container ends them too). A start that was cancelled
        (the event loop shutting down) or failed has nothing to end."""
        futures = self.waiting()
        self.plain, self.warm = {}, {}
        if futures:
            await asyncio.wait(futures)
        for future in futures:
            spare = _usable(future)
            if spare is not None:
                _end(spare)


async def _take_from(waiting: list[asyncio.Future[SpareExec]]) -> SpareExec | None:
    """A live spare of `waiting` (one that is ready first, else the oldest), or None when none
    is left."""
    while waiting:
        ready = [future for future in waiting if future.done()]
        future = ready[0] if ready else waiting[0]
        waiting.remove(future)
        await asyncio.wait([future])  # a start that failed or was cancelled is skipped
        spare = _usable(future)
        if spare is not None:
            return spare
    return None


def _usable(future: asyncio.Future[SpareExec]) -> SpareExec | None:
    """The spare of a finished start, or None when it failed or died waiting (its uid is then
    never used again)."""
    if future.cancelled() or future.exception() is not None:
        return None
    spare = future.result()
    if spare.reader.at_eof():
        _end(spare)
        return None
    return spare


def _end(spare: SpareExec) -> None:
    """End a waiting spare: the engine closes the exec's stdin only on a half-close (closing
    the socket alone leaves the exec waiting), and the spare exits on EOF."""
    try:
        spare.writer.write_eof()
    except (OSError, RuntimeError):  # the connection is gone already
        pass
    spare.writer.close()


def _end_later(future: asyncio.Future[SpareExec]) -> None:
    """End a spare nobody will take, once it has started (it reads EOF and exits)."""

    def end(done: asyncio.Future[Any]) -> None:
        spare = _usable(done)
        if spare is not None:
            _end(spare)

    future.add_done_callback(end)
