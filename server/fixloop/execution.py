"""Run one Python file of a project in the sandbox the settings choose, and share that sandbox.

`run_file` runs the file with the project root as working directory and an unsaved editor
buffer (`source`) as overlay. A one-off caller (`fixloop run`) opens a sandbox for the one run
and closes it: a single run starts no spares. A caller in a long-lived process (the language
server) passes `shared=True`: the run goes to the process's shared sandbox for these settings
(`with_shared`), which stays open between runs with spares waiting. A sandbox that cannot be
opened is reported as a `RunResult` with status `sandbox_error` and the reason in `note`, so the
CLI and the language server show one clear message instead of a stack trace.
`FIXLOOP_FRESH_SANDBOXES=1` in the environment makes the shared callers open and close a
sandbox per call instead: the "before" figures of `fixloop bench lsp` and `bench sandbox`.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Generic, TypeVar

from fixloop.paths import relative_to_root
from fixloop.sandbox import RunResult, RunSpec, Sandbox, SandboxUnavailable, Status, open_sandbox
from fixloop.sandbox import shared as shared_sandboxes
from fixloop.sandbox.base import Limits
from fixloop.sandbox.outcome import sandbox_error
from fixloop.settings import Settings

__all__ = [
    "Shared",
    "file_spec",
    "limits_for",
    "relative_to_root",
    "run_file",
    "run_shared",
    "sandbox_error",
    "sandbox_key",
    "warm_shared",
    "with_shared",
]

T = TypeVar("T")


def limits_for(settings: Settings, base: Limits | None = None) -> Limits:
    """The run limits the settings ask for (wall seconds and memory); the rest stay default."""
    return replace(base or Limits(), wall_seconds=settings.timeout, memory_mb=settings.memory)


def file_spec(
    path: str | Path,
    *,
    root: Path,
    settings: Settings,
    source: str | None = None,
    args: Sequence[str] = (),
    overlay: Mapping[str, str] | None = None,
    limits: Limits | None = None,
) -> RunSpec:
    """The RunSpec that runs `path` like `python path args...` from the project root."""
    relative = relative_to_root(path, root)
    files = dict(overlay or {})
    if source is not None:
        files[relative] = source
    return RunSpec(
        argv=(relative, *args),
        root=root.resolve(),
        limits=limits or limits_for(settings),
        overlay=files,
        network=settings.network,
    )


async def run_file(
    path: str | Path,
    *,
    root: Path,
    settings: Settings,
    source: str | None = None,
    args: Sequence[str] = (),
    limits: Limits | None = None,
    shared: bool = False,
) -> RunResult:
    """Run one file in a freshly opened sandbox (or the shared one); see the module docstring."""
    spec = file_spec(path, root=root, settings=settings, source=source, args=args, limits=limits)
    if shared:
        return (await run_shared(spec, settings)).value
    try:
        sandbox = await open_sandbox(
            settings.sandbox,
            python=settings.python or None,
            image=settings.docker_image,
            limits=spec.limits,
        )
    except SandboxUnavailable as exc:
        return sandbox_error(settings.sandbox, str(exc))
    try:
        return await sandbox.run(spec)
    except SandboxUnavailable as exc:
        return sandbox_error(sandbox.name, str(exc))
    finally:
        await sandbox.close()


def sandbox_key(settings: Settings) -> shared_sandboxes.SandboxKey:
    """The shared sandbox these settings choose. The memory setting sizes a docker container
    when it starts, so it is part of the key only where a container may be chosen."""
    container = settings.sandbox in ("docker", "auto")
    return shared_sandboxes.SandboxKey(
        settings.sandbox,
        settings.python or None,
        settings.docker_image,
        settings.memory if container else None,
    )


async def acquire_shared(settings: Settings, *, resident: bool = True) -> Sandbox:
    """The process's shared sandbox for `settings` (`shared_sandboxes.release` it when done)."""
    key = sandbox_key(settings)
    return await shared_sandboxes.acquire(
        key.kind,
        python=key.python,
        image=key.image,
        memory_mb=key.memory_mb,
        resident=resident,
    )


@dataclass(frozen=True)
class Shared(Generic[T]):
    """What a piece of work on the shared sandbox returned, and which opening of it ran it."""

    value: T
    serial: int
    sandbox: str


def _broke(value: object) -> bool:
    return isinstance(value, RunResult) and value.status is Status.SANDBOX_ERROR


async def with_shared(
    settings: Settings, root: Path, work: Callable[[Sandbox], Awaitable[T]]
) -> Shared[T]:
    """Run `work` (on the project at `root`) on the process's shared sandbox for `settings`;
    never closes it.

    A sandbox that broke while open (its container died, bubblewrap went away) shows as an
    error from `work` or a `sandbox_error` result: it is retired (closed once its other users
    are done) and `work` runs once more on a newly opened one, whose answer is final. Raises
    SandboxUnavailable when no sandbox of the chosen kind can be opened.
    """
    if fresh_sandboxes():
        return await _with_fresh(settings, work)
    for attempt in (1, 2):
        sandbox = await acquire_shared(settings)
        try:
            value = await work(sandbox)
        except (SandboxUnavailable, OSError):
            # What a broken backend raises (the docker SDK's errors are OSErrors too); a bad
            # request (an overlay path, a test command) raises something else and is not retried.
            shared_sandboxes.retire(sandbox)
            if attempt == 2:
                raise
            continue
        finally:
            serial = shared_sandboxes.serial(sandbox)
            shared_sandboxes.release(sandbox, roots={root})
        if _broke(value) and attempt == 1:
            shared_sandboxes.retire(sandbox)
            continue
        return Shared(value, serial, sandbox.name)
    raise AssertionError("unreachable: the second attempt returns or raises")


def fresh_sandboxes() -> bool:
    """Is this process measuring the old user path (a sandbox per call)? See the docstring."""
    return os.environ.get("FIXLOOP_FRESH_SANDBOXES") == "1"


async def _with_fresh(settings: Settings, work: Callable[[Sandbox], Awaitable[T]]) -> Shared[T]:
    sandbox = await open_sandbox(
        settings.sandbox,
        python=settings.python or None,
        image=settings.docker_image,
        limits=limits_for(settings),
    )
    try:
        return Shared(await work(sandbox), 0, sandbox.name)
    finally:
        await sandbox.close()


async def run_shared(spec: RunSpec, settings: Settings) -> Shared[RunResult]:
    """`spec` on the shared sandbox; one that cannot open is a `sandbox_error` result (serial 0)."""
    try:
        return await with_shared(settings, spec.root, lambda sandbox: sandbox.run(spec))
    except SandboxUnavailable as exc:
        return Shared(sandbox_error(settings.sandbox, str(exc)), 0, settings.sandbox)


async def warm_shared(settings: Settings, root: Path) -> None:
    """Open the shared sandbox for `settings` and start the spares a run in `root` takes, so
    the first Run File of a session finds them waiting; switch away from any other."""
    if fresh_sandboxes():
        return
    shared_sandboxes.retire_others(sandbox_key(settings))
    sandbox = await acquire_shared(settings)
    try:
        await sandbox.warm(
            RunSpec(argv=(), root=root, limits=limits_for(settings), network=settings.network)
        )
    finally:
        shared_sandboxes.release(sandbox)
