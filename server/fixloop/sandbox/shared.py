"""Opened sandboxes shared by every caller of one process (runs, tests, fixes, conversations).

Opening a backend (scratch directories, zygotes, a cgroup) and starting a warm worker inside it
cost tens of milliseconds, which a language server should pay once per session, not per Run
File or per conversation. `acquire()` hands out this event loop's opened sandbox for a
`SandboxKey` (kind, interpreter, image, container memory); `release()` gives it back. Opened
here, a sandbox is told it is shared (`Sandbox.share`: its copies follow the project on disk,
spares wait from the first run). It closes after `IDLE_SECONDS` without users unless it was
acquired `resident` (the language server's sandbox lives for the session), when it has served
`MAX_ROOTS` project roots (each keeps a scratch copy until close), when `retire()` says it broke
or `retire_others()` that the settings moved on (in both cases once its last user is done), or
when the event loop shuts down (`asyncio.run` closes open async generators; one of ours closes
the sandboxes). `take_spare(sandbox, key, start)` hands out a process started ahead for `key` and
remembers how to start the next one, which `release()` does once the conversation is over. A
spare serves exactly one conversation, which kills it: HOME, TMPDIR and whatever a program left
running die with it, so nothing of one task reaches the next. `defer()` moves such cleanup off
the caller's critical path; closing awaits it. Cancellation kills a conversation's own processes
(the caller awaits their kill); the shared sandbox stays open for the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import os
import shutil
import tempfile
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixloop.sandbox.base import Sandbox, SandboxProcess
from fixloop.sandbox.cleanup import shielded


def _idle_seconds(default: float = 60.0) -> float:
    """FIXLOOP_SANDBOX_IDLE, or the default when it is unset or not a positive number (a typo
    in the environment must not stop the server from importing this module)."""
    try:
        value = float(os.environ.get("FIXLOOP_SANDBOX_IDLE", "") or default)
    except ValueError:
        return default
    return value if math.isfinite(value) and value > 0 else default


IDLE_SECONDS = _idle_seconds()
MAX_ROOTS = 32
_SERIALS = itertools.count(1)

SpareStarter = Callable[[Sandbox, Path], Awaitable["SandboxProcess | None"]]


@dataclass(frozen=True)
class SandboxKey:
    """What makes two callers' sandboxes interchangeable. `memory_mb` sizes a docker container
    when it starts (None: the default limits); runs still bring their own limits."""

    kind: str
    python: str | None = None
    image: str | None = None
    memory_mb: int | None = None


class _Entry:
    """One opened sandbox, its users, its spare processes and its pending cleanup."""

    def __init__(self, key: SandboxKey, sandbox: Sandbox) -> None:
        self.key = key
        self.sandbox = sandbox
        self.serial = next(_SERIALS)  # which opening this is, for callers and tests to tell
        self.resident = False
        self.users = 0
        self.roots: set[Path] = set()
        self.retired = False
        # Spares start on this empty project: they never see any conversation's files.
        self.empty_root = Path(tempfile.mkdtemp(prefix="fixloop-shared-empty-"))
        self.spares: dict[Hashable, asyncio.Future[SandboxProcess | None]] = {}
        self.starters: dict[Hashable, SpareStarter] = {}
        self.background: set[asyncio.Future[Any]] = set()
        self.idle: asyncio.TimerHandle | None = None
        self.closing: asyncio.Future[None] | None = None

    async def close(self) -> None:
        await shielded(self._close())

    async def _close(self) -> None:
        if self.idle is not None:
            self.idle.cancel()
        spares, self.spares = list(self.spares.values()), {}
        self.starters.clear()
        for spare in spares:
            if not spare.done():
                spare.cancel()
            with contextlib.suppress(BaseException):
                process = await spare
                if process is not None:
                    await process.kill()
        while self.background:
            await asyncio.gather(*list(self.background), return_exceptions=True)
        try:
            await self.sandbox.close()
        finally:
            await asyncio.to_thread(shutil.rmtree, self.empty_root, True)


class _Registry:
    """The shared sandboxes of one event loop."""

    def __init__(self) -> None:
        self.entries: dict[SandboxKey, _Entry] = {}
        self.opening: dict[SandboxKey, asyncio.Future[_Entry]] = {}
        self.by_sandbox: dict[int, _Entry] = {}
        self.closers: set[asyncio.Future[None]] = set()
        self.finalizer: AsyncIterator[None] | None = None
        self.wanted: SandboxKey | None = None  # what the settings choose, once told

    def entry_of(self, sandbox: Sandbox) -> _Entry:
        entry = self.by_sandbox.get(id(sandbox))
        if entry is None or entry.sandbox is not sandbox:
            raise ValueError("this sandbox was not acquired from fixloop.sandbox.shared")
        return entry

    def retire(self, entry: _Entry) -> None:
        """New users get a fresh sandbox; this one closes when its last user is done."""
        entry.retired = True
        if self.entries.get(entry.key) is entry:
            del self.entries[entry.key]
        if entry.users == 0:
            self.close_entry(entry)

    def close_entry(self, entry: _Entry) -> None:
        """Close `entry` in the background (it has no users); a later acquire opens a new one."""
        if entry.closing is not None:
            return
        if self.entries.get(entry.key) is entry:
            del self.entries[entry.key]
        entry.closing = asyncio.ensure_future(entry.close())
        self.closers.add(entry.closing)

        def forget(_: asyncio.Future[None]) -> None:
            self.closers.discard(entry.closing)  # type: ignore[arg-type]
            self.by_sandbox.pop(id(entry.sandbox), None)

        entry.closing.add_done_callback(forget)

    async def close_all(self) -> None:
        for entry in list(self.by_sandbox.values()):
            if entry.closing is None:
                self.close_entry(entry)
        while self.closers:
            await asyncio.gather(*list(self.closers), return_exceptions=True)


_REGISTRIES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Registry] = (
    weakref.WeakKeyDictionary()
)


async def _close_at_loop_shutdown(registry: _Registry) -> AsyncIterator[None]:
    try:
        yield
    finally:
        await registry.close_all()


async def _registry() -> _Registry:
    loop = asyncio.get_running_loop()
    registry = _REGISTRIES.get(loop)
    if registry is None:
        registry = _REGISTRIES[loop] = _Registry()
        # The loop tracks started async generators and closes them at shutdown (asyncio.run
        # does); the registry keeps the strong reference the loop's weak set does not.
        registry.finalizer = _close_at_loop_shutdown(registry)
        await registry.finalizer.__anext__()
    return registry


async def _open_entry(registry: _Registry, key: SandboxKey) -> _Entry:
    """Open the sandbox for `key` and register it before anyone awaiting the open wakes up.

    Registering here, inside the opening task, matters: the opening's done-callback forgets it
    before its awaiters resume, and a caller arriving in that gap must find the entry, not open
    a second sandbox that nothing registered (its release would fail, and it would leak).
    """
    from fixloop.sandbox import Limits, open_sandbox

    limits = None if key.memory_mb is None else Limits(memory_mb=key.memory_mb)
    sandbox = await open_sandbox(key.kind, python=key.python, image=key.image, limits=limits)
    sandbox.share()
    entry = _Entry(key, sandbox)
    registry.by_sandbox[id(sandbox)] = entry
    if registry.wanted in (None, key):
        registry.entries[key] = entry
    else:  # opened for settings that changed meanwhile: for the callers already waiting only
        entry.retired = True
    return entry


async def acquire(
    kind: str,
    *,
    python: str | None = None,
    image: str | None = None,
    memory_mb: int | None = None,
    resident: bool = False,
) -> Sandbox:
    """This loop's opened sandbox for the key; `release()` it when done. A `resident` one
    stays open while unused (until `retire`, `retire_others` or `close_all`)."""
    registry = await _registry()
    key = SandboxKey(kind, python, image, memory_mb)
    while True:
        entry = registry.entries.get(key)
        if entry is None:
            opening = registry.opening.get(key)
            if opening is None:
                opening = registry.opening[key] = asyncio.ensure_future(_open_entry(registry, key))
                opening.add_done_callback(lambda _: registry.opening.pop(key, None))
            # Shielded: a cancelled caller must not abort an open others may be waiting for.
            entry = await asyncio.shield(opening)
        # An entry retired for settings that moved on while it opened may have closed
        # before this caller woke up: ask again (the settings' own key opens anew).
        if entry.closing is None:
            break
    entry.users += 1
    entry.resident = entry.resident or resident
    if entry.idle is not None:
        entry.idle.cancel()
        entry.idle = None
    return entry.sandbox


def acquire_resident(key: SandboxKey) -> Sandbox | None:
    """The open resident sandbox for `key` (acquired: `release()` it), or None when this
    process keeps none (a one-off command: the caller opens a sandbox of its own)."""
    registry = _REGISTRIES.get(asyncio.get_running_loop())
    entry = registry.entries.get(key) if registry is not None else None
    if entry is None or not entry.resident or entry.retired or entry.closing is not None:
        return None
    entry.users += 1
    return entry.sandbox


def release(sandbox: Sandbox, *, roots: set[Path] | frozenset[Path] = frozenset()) -> None:
    """Give back an acquired sandbox; `roots` are the project roots its runs used."""
    registry = _REGISTRIES[asyncio.get_running_loop()]
    entry = registry.entry_of(sandbox)
    entry.users -= 1
    entry.roots.update(roots)
    if len(entry.roots) >= MAX_ROOTS and not entry.retired:
        entry.retired = True  # new users get a fresh sandbox; this one closes when unused
        registry.entries.pop(entry.key, None)
    if entry.users > 0:
        return
    if entry.retired:
        registry.close_entry(entry)
        return
    for spare_key, starter in entry.starters.items():
        if spare_key not in entry.spares:  # the next conversation finds its worker started
            entry.spares[spare_key] = asyncio.ensure_future(
                starter(entry.sandbox, entry.empty_root)
            )
    if not entry.resident:
        loop = asyncio.get_running_loop()
        entry.idle = loop.call_later(IDLE_SECONDS, registry.close_entry, entry)


def take_spare(
    sandbox: Sandbox, key: Hashable, start: SpareStarter
) -> tuple[Path, asyncio.Future[SandboxProcess | None] | None]:
    """(the empty root spares start on, the spare started for `key` or None).

    The spare may still be starting. `start(sandbox, root)` starts the next spare for `key`
    when this sandbox is next released by its last user.
    """
    entry = _REGISTRIES[asyncio.get_running_loop()].entry_of(sandbox)
    entry.starters[key] = start
    return entry.empty_root, entry.spares.pop(key, None)


def defer(sandbox: Sandbox, cleanup: Coroutine[Any, Any, Any]) -> None:
    """Run `cleanup` in the background; the shared sandbox closes only after it has finished."""
    entry = _REGISTRIES[asyncio.get_running_loop()].entry_of(sandbox)
    task = asyncio.ensure_future(cleanup)
    entry.background.add(task)
    task.add_done_callback(entry.background.discard)


def serial(sandbox: Sandbox) -> int:
    """Which opening of a shared sandbox this is (1, 2, ... in this process): a caller that
    reports it lets its user see whether two runs shared one sandbox."""
    return _REGISTRIES[asyncio.get_running_loop()].entry_of(sandbox).serial


def retire(sandbox: Sandbox) -> None:
    """`sandbox` broke (its container died, bwrap went away): the next `acquire` opens a new
    one; this one closes once its current users are done."""
    registry = _REGISTRIES[asyncio.get_running_loop()]
    registry.retire(registry.entry_of(sandbox))


def retire_others(key: SandboxKey) -> None:
    """The settings now choose `key`: every other shared sandbox of this loop closes once its
    current users are done (a fix still running keeps its sandbox until it ends)."""
    registry = _REGISTRIES.get(asyncio.get_running_loop())
    if registry is None:
        return
    registry.wanted = key
    for entry in list(registry.entries.values()):
        if entry.key != key:
            registry.retire(entry)


async def close_all() -> None:
    """Close every shared sandbox of the running loop (servers at shutdown, test teardown)."""
    registry = _REGISTRIES.get(asyncio.get_running_loop())
    if registry is not None:
        await registry.close_all()
