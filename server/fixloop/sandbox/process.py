"""Start, watch and finish one sandboxed process tree; shared by the `local` and `bwrap` backends.

The process comes from a zygote (see `zygote`): it has its own session (signals to its group
never reach the server), a `pids` cgroup when the machine has one, resource limits, an
environment built by `runenv`, and stdin that is empty unless the spec says otherwise. Both
output pipes are drained concurrently into one capped buffer; going over the cap or the wall
clock kills the whole tree (`processtree`): SIGTERM, a short grace, then SIGKILL. The raw facts
come back as an `Outcome` for `outcome.classify`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fixloop.sandbox.base import Limits
from fixloop.sandbox.cgroup import PidsCgroup
from fixloop.sandbox.cleanup import shielded
from fixloop.sandbox.outcome import Outcome
from fixloop.sandbox.piped import PipedProcess
from fixloop.sandbox.processtree import ProcessTree
from fixloop.sandbox.runenv import MARKER_VAR
from fixloop.sandbox.warmpython import InterpreterPool
from fixloop.sandbox.zygote import ZygotePool, nproc_rlimit, rlimits_for


@dataclass
class _Capture:
    """Output of both pipes, capped together."""

    cap: int
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    truncated: bool = False
    over: asyncio.Event = field(default_factory=asyncio.Event)

    async def drain(self, stream: asyncio.StreamReader | None, sink: bytearray) -> None:
        if stream is None:
            return
        while True:
            chunk = await stream.read(65536)
            if not chunk:
                return
            room = self.cap - len(self.stdout) - len(self.stderr)
            if len(chunk) > room:
                sink.extend(chunk[: max(room, 0)])
                self.truncated = True
                self.over.set()
                continue  # keep reading (and discarding) so the writer never blocks
            sink.extend(chunk)


async def spawn(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    limits: Limits,
    pool: ZygotePool,
    memory_rlimit: bool = True,
    interpreters: InterpreterPool | None = None,
) -> tuple[PipedProcess, PidsCgroup | None, str]:
    """Start `argv` confined (session, cgroup, rlimits) from a zygote, or from a warm
    interpreter of `interpreters` that fits it (see `zygote`, `warmpython`); (process, cgroup,
    the environment marker it carries)."""
    rlimits = rlimits_for(limits, memory=memory_rlimit)
    zygote = None
    if interpreters is not None:
        zygote = await interpreters.take_fitting(argv, env, rlimits)
        if zygote is not None and zygote.cgroup is None and os.geteuid() != 0:
            await zygote.discard()  # its run would need RLIMIT_NPROC, set only by an order line
            zygote = None
    if zygote is None:
        zygote = await pool.take()
    marker = zygote.marker or env.get(MARKER_VAR, "")
    try:
        rlimits += nproc_rlimit(limits, zygote.cgroup)
        await zygote.become(argv, cwd=str(cwd), env=env, rlimits=rlimits, max_pids=limits.processes)
    except BaseException:
        # Cancelled (or failed) while handing over the order: the zygote may already be the
        # program, and nobody else knows it exists.
        tree = ProcessTree(zygote.process.pid, marker, zygote.cgroup)
        await shielded(tree.destroy(zygote.process))
        raise
    if zygote.order_for is None:
        pool.prepare_next()
    return zygote.process, zygote.cgroup, marker


async def run_tree(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    limits: Limits,
    stdin: bytes,
    pool: ZygotePool,
    memory_rlimit: bool = True,
    interpreters: InterpreterPool | None = None,
) -> Outcome:
    """Run `argv` to completion under `limits`; never leaves a process behind."""
    capture = _Capture(cap=limits.output_bytes)
    started = time.monotonic()
    process, cgroup, marker = await spawn(
        argv,
        cwd=cwd,
        env=env,
        limits=limits,
        pool=pool,
        memory_rlimit=memory_rlimit,
        interpreters=interpreters,
    )
    marker = marker or uuid.uuid4().hex
    tree = ProcessTree(process.pid, marker, cgroup)
    drains = asyncio.gather(
        capture.drain(process.stdout, capture.stdout), capture.drain(process.stderr, capture.stderr)
    )
    feeder = asyncio.create_task(_feed(process, stdin))
    waiter = asyncio.ensure_future(process.exited())
    overflow = asyncio.ensure_future(capture.over.wait())
    timed_out = False
    try:
        done, _ = await asyncio.wait(
            {waiter, overflow}, timeout=limits.wall_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        overflow.cancel()
        if waiter not in done:
            timed_out = not capture.over.is_set()
            await _terminate(tree, process, limits.kill_grace_seconds)
        # Collect the main process first, so that the cgroup's count holds only leftovers.
        await process.wait()
        # Anything still alive after the main process ended is a leftover daemon: kill it so
        # the pipes close and nothing outlives the run.
        await tree.reap()
        if not drains.done():
            try:
                await asyncio.wait_for(asyncio.shield(drains), timeout=2.0)
            except asyncio.TimeoutError:
                pass  # a pipe held open by something we could not find; give up on its tail
    finally:
        for helper in (feeder, waiter, overflow):
            helper.cancel()
        # However often the run is cancelled meanwhile, the tree dies and is collected.
        limited = await shielded(_collect(tree, process, cgroup))
        drains.cancel()
    return Outcome(
        returncode=process.returncode,
        stdout=bytes(capture.stdout).decode("utf-8", errors="replace"),
        stderr=bytes(capture.stderr).decode("utf-8", errors="replace"),
        truncated=capture.truncated,
        timed_out=timed_out,
        duration_ms=int((time.monotonic() - started) * 1000),
        processes_limited=limited,
    )


async def _collect(tree: ProcessTree, process: PipedProcess, cgroup: PidsCgroup | None) -> bool:
    """Make sure nothing of the run is alive, collect it; True when the process limit was hit."""
    if process.returncode is None:
        tree.reaped = False
        await asyncio.to_thread(tree.kill_everything)
        await process.wait()
    # Only a failed run can owe its failure to the process limit.
    limited = cgroup is not None and process.returncode != 0 and cgroup.limit_hit()
    await tree.finish()
    return limited


async def _feed(process: PipedProcess, data: bytes) -> None:
    """Write the run's stdin (often nothing) and close it, so reads see EOF, never block."""
    assert process.stdin is not None
    try:
        if data:
            process.stdin.write(data)
            await process.stdin.drain()
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        process.stdin.close()


async def _terminate(tree: ProcessTree, process: PipedProcess, grace: float) -> None:
    tree.signal_all(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), timeout=grace)
    except asyncio.TimeoutError:
        pass
    await asyncio.to_thread(tree.kill_everything)
