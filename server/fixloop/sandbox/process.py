"""Start, watch and kill one sandboxed process tree; shared by the `local` and `bwrap` backends.

The process comes from a zygote (see `zygote`): it has its own session (signals to its group
never reach the server), a `pids` cgroup when the machine has one, resource limits, an
environment built from an allow-list, and stdin that is empty unless the spec says otherwise.
Both output pipes are drained concurrently into one capped buffer; going over the cap or the
wall clock kills the whole tree: SIGTERM, a short grace, then SIGKILL to the process group, to
every cgroup member and (without a cgroup) to every process carrying this run's environment
marker, which catches daemons that left the group with `setsid`. The outcome is classified into
the `Status` words of `RunResult`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fixloop.sandbox.base import Limits, RunResult, RunSpec, Status
from fixloop.sandbox.cgroup import PidsCgroup
from fixloop.sandbox.cleanup import shielded
from fixloop.sandbox.piped import PipedProcess
from fixloop.sandbox.tracebacks import parse_traceback
from fixloop.sandbox.zygote import ZygotePool, nproc_rlimit, rlimits_for

MARKER_VAR = "FIXLOOP_RUN_MARKER"
# Variables copied from the server's environment when present; everything else is dropped.
_COPIED_VARS = ("LANG", "LANGUAGE", "TZ")
# A caller-supplied variable whose name looks like this is refused: it may carry a secret.
_SECRET_HINTS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "COOKIE")


def looks_secret(name: str) -> bool:
    upper = name.upper()
    return any(hint in upper for hint in _SECRET_HINTS)


def allowed_env(
    *, home: str, tmp: str, path_dirs: Sequence[str], extra: Mapping[str, str], marker: str
) -> dict[str, str]:
    """The complete environment of a sandboxed run: never a copy of ours, never a secret."""
    env = {
        "PATH": ":".join([*path_dirs, "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": home,
        "TMPDIR": tmp,
        "TERM": "dumb",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONNOUSERSITE": "1",
        MARKER_VAR: marker,
    }
    for name, value in os.environ.items():
        if name in _COPIED_VARS or name.startswith("LC_"):
            env[name] = value
    for name, value in extra.items():
        if looks_secret(name) or "\x00" in name + value or "=" in name:
            continue
        env[name] = value
    env.setdefault("LANG", "C.UTF-8")
    return env


def run_variables(spec: RunSpec, packages: str | None) -> dict[str, str]:
    """The caller's variables for `allowed_env`; with a package directory (`packages`, its path
    as the run sees it), pip installs there (`--target`, so never into the interpreter's own
    environment) and imports find it."""
    env = dict(spec.env)
    if packages is not None:
        env["PIP_TARGET"] = packages
        env["PYTHONPATH"] = ":".join(filter(None, [packages, env.get("PYTHONPATH", "")]))
        env.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        env.setdefault("PIP_NO_INPUT", "1")
    return env


def marked_pids(marker: str, variable: str = MARKER_VAR) -> list[int]:
    """Processes whose initial environment has `variable=marker` (found via /proc)."""
    needle = f"{variable}={marker}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if needle in handle.read().split(b"\0"):
                    found.append(int(entry))
        except OSError:
            continue
    return found


@dataclass
class ProcessTree:
    """Everything needed to signal every process one run started."""

    pid: int
    marker: str
    cgroup: PidsCgroup | None
    scan_marker: bool = True
    reaped: bool = False  # the cgroup was found empty after the run

    def signal_all(self, sig: int) -> None:
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        members = self.cgroup.pids() if self.cgroup is not None else []
        if self.cgroup is None and self.scan_marker:
            members = marked_pids(self.marker)
        for pid in members:
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass

    def kill_everything(self) -> None:
        """SIGKILL the group and every member; with a cgroup this also catches escapees."""
        self.signal_all(signal.SIGKILL)
        if self.cgroup is not None:
            self.cgroup.kill_all()

    def release(self) -> None:
        self.kill_everything()
        if self.cgroup is not None:
            self.cgroup.remove()

    async def reap(self) -> None:
        """`kill_everything` without leaving the event loop in the common case: a cgroup
        that is already empty needs one read, not a thread."""
        if self.cgroup is not None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if self.cgroup.empty():
                self.reaped = True
                return
        await asyncio.to_thread(self.kill_everything)
        # An emptied cgroup stays empty: nothing is left in it to fork.
        self.reaped = self.cgroup is not None and self.cgroup.empty()

    async def destroy(self, process: PipedProcess) -> None:
        """Kill the whole tree, collect the main process and drop the cgroup (clean-up after a
        cancel or a failure; call it through `shielded` so a second cancel cannot cut it short)."""
        self.reaped = False
        await asyncio.to_thread(self.kill_everything)
        await process.wait()
        if process.stdin is not None:
            process.stdin.close()
        await self.finish()

    async def finish(self) -> None:
        """Reap (unless the cgroup was emptied already), then drop the cgroup in the
        background (nothing is left in it to wait for)."""
        if not self.reaped:
            await self.reap()
        if self.cgroup is not None:
            future = asyncio.get_running_loop().run_in_executor(None, self.cgroup.remove)
            _BACKGROUND.add(future)
            future.add_done_callback(_BACKGROUND.discard)


_BACKGROUND: set[asyncio.Future[None]] = set()


async def settle_background() -> None:
    """Wait for background cgroup removals (called when a sandbox closes)."""
    if _BACKGROUND:
        await asyncio.gather(*list(_BACKGROUND), return_exceptions=True)


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


@dataclass(frozen=True)
class Outcome:
    """Raw facts about a finished run, before classification."""

    returncode: int | None
    stdout: str
    stderr: str
    truncated: bool
    timed_out: bool
    duration_ms: int
    processes_limited: bool


async def spawn(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    limits: Limits,
    pool: ZygotePool,
    memory_rlimit: bool = True,
) -> tuple[PipedProcess, PidsCgroup | None]:
    """Start `argv` confined (session, cgroup, rlimits) from a zygote; see `zygote`."""
    zygote = await pool.take()
    try:
        rlimits = rlimits_for(limits, memory=memory_rlimit) + nproc_rlimit(limits, zygote.cgroup)
        await zygote.become(argv, cwd=str(cwd), env=env, rlimits=rlimits, max_pids=limits.processes)
    except BaseException:
        # Cancelled (or failed) while handing over the order: the zygote may already be the
        # program, and nobody else knows it exists.
        tree = ProcessTree(zygote.process.pid, env.get(MARKER_VAR, ""), zygote.cgroup)
        await shielded(tree.destroy(zygote.process))
        raise
    pool.prepare_next()
    return zygote.process, zygote.cgroup


async def run_tree(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    limits: Limits,
    stdin: bytes,
    pool: ZygotePool,
    memory_rlimit: bool = True,
) -> Outcome:
    """Run `argv` to completion under `limits`; never leaves a process behind."""
    marker = env.get(MARKER_VAR) or uuid.uuid4().hex
    capture = _Capture(cap=limits.output_bytes)
    started = time.monotonic()
    process, cgroup = await spawn(
        argv, cwd=cwd, env=env, limits=limits, pool=pool, memory_rlimit=memory_rlimit
    )
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


def classify(
    outcome: Outcome,
    *,
    sandbox: str,
    roots: Sequence[str],
    protected: bool,
    note: str = "",
    signal_offset: int | None = None,
) -> RunResult:
    """Turn raw facts into a `RunResult`: status, which limit was hit, the parsed error.

    `signal_offset` is set by wrappers (bwrap) that report a child killed by signal N as
    exit code offset+N.
    """
    code = outcome.returncode
    signum: int | None = -code if code is not None and code < 0 else None
    if signal_offset is not None and code is not None and code > signal_offset:
        candidate = code - signal_offset
        if candidate in (
            signal.SIGKILL,
            signal.SIGXCPU,
            signal.SIGXFSZ,
            signal.SIGSEGV,
            signal.SIGTERM,
            signal.SIGABRT,
        ):
            signum = candidate
    error = parse_traceback(outcome.stderr, roots)
    tail = outcome.stderr.rstrip().rsplit("\n", 1)[-1] if outcome.stderr.strip() else ""
    limit: str | None = None
    if outcome.timed_out:
        status, limit = Status.TIMEOUT, "wall"
    elif outcome.truncated:
        status, limit = Status.OUTPUT_LIMIT, "output"
    elif signum == signal.SIGXCPU:
        status, limit = Status.TIMEOUT, "cpu"
    elif (error is not None and error.type == "MemoryError") or tail.startswith("MemoryError"):
        status, limit = Status.MEMORY, "memory"
    elif code == 0:
        status = Status.OK
    elif signum is not None:
        status = Status.KILLED
        if signum == signal.SIGXFSZ:
            limit = "file_size"
    else:
        status = Status.ERROR
    if status in (Status.ERROR, Status.KILLED) and limit is None:
        if "[Errno 27] File too large" in outcome.stderr:
            limit = "file_size"
        elif (
            outcome.processes_limited
            or "[Errno 11] Resource temporarily unavailable" in (outcome.stderr)
            or "can't start new thread" in outcome.stderr
        ):
            limit = "processes"
    if status is Status.OK:
        error = None
    return RunResult(
        status=status,
        exit_code=code if signum is None or code is None else -signum,
        stdout=outcome.stdout,
        stderr=outcome.stderr,
        truncated=outcome.truncated,
        duration_ms=outcome.duration_ms,
        sandbox=sandbox,
        error=error,
        limit_hit=limit,
        protected=protected,
        note=note,
    )


def sandbox_error(kind: str, message: str) -> RunResult:
    """The RunResult reported when the sandbox itself failed (never the program)."""
    return RunResult(
        status=Status.SANDBOX_ERROR,
        exit_code=None,
        stdout="",
        stderr="",
        truncated=False,
        duration_ms=0,
        sandbox=kind,
        error=None,
        note=message,
    )


def interpreter_dirs(python: str) -> list[str]:
    """Directories to put first on PATH so `python`/`python3` mean the chosen interpreter."""
    return [str(Path(python).parent)] if os.path.isabs(python) else []


def default_python() -> str:
    return sys.executable
