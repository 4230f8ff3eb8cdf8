"""The host side of the warm task worker: start it, read its answers, hand it the project.

The worker itself (`task_programs.WORKER_SOURCE`) runs inside the sandbox; this module starts it
with `Sandbox.start_process` and waits for its greeting, reads one answer line of any size, and
encodes a project's files for a worker that was started ahead on an empty project (a spare of
the shared sandbox). A worker that fails any of this is reported as `WorkerBroken` or not
started at all, and the conversation runs its programs cold.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from fixloop.repair.llm.task_programs import WORKER, WORKER_SOURCE
from fixloop.sandbox.base import Limits, RunSpec, Sandbox, SandboxProcess

# Input files sent to a worker started ahead; a conversation with more gets a worker of its own.
MAX_SEED_BYTES = 8 * 1024 * 1024
HOST_GRACE_SECONDS = 3.0

log = logging.getLogger(__name__)


class WorkerBroken(RuntimeError):
    """The warm worker died, hung or answered garbage; use cold runs from now on."""


async def read_line(process: SandboxProcess, limit: int) -> bytes:
    """One newline-terminated answer of any size up to `limit` (StreamReader lines cap at 64 KiB)."""
    buffer = bytearray()
    while True:
        chunk = await process.stdout.read(65536)
        if not chunk:
            raise WorkerBroken("the warm worker exited")
        buffer += chunk
        end = buffer.find(b"\n")
        if end >= 0:
            return bytes(buffer[:end])
        if len(buffer) > limit:
            raise WorkerBroken("the warm worker's answer is too large")


async def start_worker(
    sandbox: Sandbox, root: Path, limits: Limits, network: bool
) -> SandboxProcess | None:
    """A warm worker on a copy of `root`, greeted and ready; None when the backend cannot keep one."""
    spec = RunSpec(
        argv=(WORKER,), root=root, limits=limits, overlay={WORKER: WORKER_SOURCE}, network=network
    )
    try:
        process = await sandbox.start_process(spec)
    except Exception as error:  # no warm worker on this backend: cold runs still work
        log.info("no warm task worker (%s); programs run cold", error)
        return None
    try:
        ready = await asyncio.wait_for(read_line(process, 1024), 10 + HOST_GRACE_SECONDS)
        if json.loads(ready).get("ready") is not True:
            raise WorkerBroken("unexpected greeting")
    except (asyncio.TimeoutError, WorkerBroken, ValueError) as error:
        log.info("the warm task worker did not start (%r); programs run cold", error)
        await process.kill()
        return None
    except BaseException:
        await process.kill()
        raise
    return process


def started_worker(start: asyncio.Future[SandboxProcess | None] | None) -> SandboxProcess | None:
    """The worker of a start that has finished, else None (still starting, cancelled, absent)."""
    return start.result() if start is not None and start.done() and not start.cancelled() else None


def spare_starter(
    limits: Limits, network: bool
) -> Callable[[Sandbox, Path], Awaitable[SandboxProcess | None]]:
    async def start(sandbox: Sandbox, root: Path) -> SandboxProcess | None:
        return await start_worker(sandbox, root, limits, network)

    return start


def seed_files(root: Path, cap: int = MAX_SEED_BYTES) -> dict[str, str] | None:
    """The files of `root` base64-encoded for a worker started on an empty project; None over `cap`."""
    from fixloop.sandbox.workspace import project_files

    found: dict[str, str] = {}
    total = 0
    for relative, source in project_files(root):
        if source is None:
            continue
        total += source.stat().st_size
        if total > cap:
            return None
        found[relative] = base64.b64encode(source.read_bytes()).decode()
    return found
