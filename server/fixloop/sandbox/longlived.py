"""Long-lived sandboxed processes with piped stdin/stdout (`Sandbox.start_process`).

The repair loop keeps a warm worker running inside the sandbox and talks to it over stdin and
stdout. It gets the same session, limits, cgroup and environment as a one-shot run, but no wall
clock: the caller times each request itself and calls `kill()`, which takes down the whole tree
(including anything that left the process group). stderr is drained and dropped so a chatty
worker can never block on a full pipe.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from fixloop.sandbox.base import Limits
from fixloop.sandbox.cleanup import shielded
from fixloop.sandbox.piped import PipedProcess
from fixloop.sandbox.process import spawn
from fixloop.sandbox.processtree import ProcessTree
from fixloop.sandbox.zygote import ZygotePool


class LongLivedProcess:
    """Implements `SandboxProcess`. `kill()` is idempotent and always reaps the tree."""

    def __init__(
        self,
        process: PipedProcess,
        tree: ProcessTree,
        on_exit: Callable[[], None] | None,
        watch: Callable[[], tuple[str, ...]] | None = None,
    ) -> None:
        assert process.stdin is not None and process.stdout is not None
        self.stdin: asyncio.StreamWriter = process.stdin
        self.stdout: asyncio.StreamReader = process.stdout
        self.pid = process.pid
        self._process = process
        self._tree = tree
        self._on_exit = on_exit
        self._watch = watch
        self._released = False
        self._stderr_task = asyncio.create_task(self._drain_stderr())
        # Set by the sandbox that tracks its live processes: called once this one is gone.
        self.forget: Callable[[], None] | None = None

    async def _drain_stderr(self) -> None:
        stream = self._process.stderr
        if stream is None:
            return
        while await stream.read(65536):
            pass

    def changed_files(self) -> tuple[str, ...]:
        return self._watch() if self._watch is not None and not self._released else ()

    async def kill(self) -> None:
        if self._released:
            return
        self._released = True
        await shielded(self._kill())

    async def _kill(self) -> None:
        await asyncio.to_thread(self._tree.kill_everything)
        await self._process.wait()
        await asyncio.to_thread(self._tree.release)
        self._stderr_task.cancel()
        if self._on_exit is not None:
            await asyncio.to_thread(self._on_exit)
        if self.forget is not None:
            self.forget()

    async def wait(self) -> int | None:
        code = await self._process.wait()
        await self.kill()  # the worker is gone: nothing it started may outlive it
        return code


async def start_long_lived(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    limits: Limits,
    pool: ZygotePool,
    on_exit: Callable[[], None] | None = None,
    memory_rlimit: bool = True,
    watch: Callable[[], tuple[str, ...]] | None = None,
) -> LongLivedProcess:
    process, cgroup, marker = await spawn(
        argv, cwd=cwd, env=env, limits=limits, pool=pool, memory_rlimit=memory_rlimit
    )
    tree = ProcessTree(process.pid, marker or uuid.uuid4().hex, cgroup)
    return LongLivedProcess(process, tree, on_exit, watch)
