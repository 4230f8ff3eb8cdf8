"""Pre-started, pre-confined processes that become the next sandboxed program on request.

Two costs of starting a confined process do not belong on a run's critical path: moving a
process into a cgroup (the kernel waits for an RCU grace period, often several milliseconds),
and a `preexec_fn` (which forces fork instead of vfork and blocks the event loop until the
child reaches exec). A zygote is a `/bin/sh` started early, in its own session, that the server
moves into a fresh `pids` cgroup from a worker thread while it waits on a private pipe. When a
run begins, the server writes it one line: change directory, set the rlimits (`ulimit`, each
failure fatal), export the allow-listed environment (the zygote starts with none) and `exec`
the command, every word shell-quoted. The program keeps the zygote's pid, session, cgroup and
the stdio pipes the server already watches. After a sandbox's first run the pool keeps one spare
zygote ready, so back-to-back runs pay neither cost; a shell costs well under a millisecond of
CPU. A zygote whose server goes away reads EOF and exits. A pool may also give its zygotes a
`launch` line that its shell runs as soon as it is in its cgroup: exec bubblewrap around a second
waiting shell, or fork a subshell that waits while the zygote stays as its parent. A spare then
already waits inside its namespaces (or below its supervisor) and the run's order reaches the
inner shell; that set-up happens before the run, not during it.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from fixloop.sandbox.base import MIB, Limits
from fixloop.sandbox.cgroup import PidsCgroup
from fixloop.sandbox.cleanup import shielded
from fixloop.sandbox.piped import PipedProcess, start_piped

SHELL = "/bin/sh"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# dash/POSIX `ulimit` flags and the unit each one counts in.
_ULIMIT = {
    "RLIMIT_CORE": ("-c", 512),
    "RLIMIT_CPU": ("-t", 1),
    "RLIMIT_FSIZE": ("-f", 512),
    "RLIMIT_NOFILE": ("-n", 1),
    "RLIMIT_AS": ("-v", 1024),
    "RLIMIT_NPROC": ("-p", 1),
}


# The order arrives as the first line on stdin; `read` takes bytes one at a time from a pipe,
# so whatever follows the line is left for the program as its own stdin. NL lets an order stay
# on one line while arguments contain newlines.
ZYGOTE_SCRIPT = "NL='\n'\nIFS= read -r order || exit 0\neval \"$order\""


def shell_word(text: str) -> str:
    """Shell-quote one word so that it also survives `read` (no raw newline; the reading
    script defines NL)."""
    return shlex.quote(text).replace("\n", "'\"$NL\"'")


def export_pairs(env: Mapping[str, str]) -> list[tuple[str, str]]:
    """`env`'s items; refuses names a shell cannot take."""
    for key in env:
        if not _NAME.fullmatch(key):
            raise ValueError(f"invalid environment variable name {key!r}")
    return list(env.items())


def export_steps(env: Mapping[str, str]) -> list[str]:
    """`export NAME=value` commands for an order line."""
    return [f"export {key}={shell_word(value)}" for key, value in export_pairs(env)]


def limit_steps(rlimits: Sequence[tuple[str, int, int]]) -> list[str]:
    """`ulimit` commands for `rlimits`, each failure fatal (exit 126)."""
    steps = []
    for name, soft, hard in rlimits:
        flag, unit = _ULIMIT[name]
        if soft == hard:  # without -H/-S, ulimit sets both at once
            steps.append(f"ulimit {flag} {hard // unit} || exit 126")
        else:  # soft first: it must never exceed the hard limit in force
            steps.append(f"ulimit -S {flag} {soft // unit} || exit 126")
            steps.append(f"ulimit -H {flag} {hard // unit} || exit 126")
    return steps


def order_line(
    argv: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str],
    rlimits: Sequence[tuple[str, int, int]],
) -> str:
    """The one-line shell program a zygote evaluates to become the run."""
    steps = [f"cd -- {shell_word(cwd)} || exit 126", "unset OLDPWD", *limit_steps(rlimits)]
    steps += export_steps(env)
    steps.append("exec " + " ".join(shell_word(part) for part in argv))
    return "; ".join(steps) + "\n"


# A launch that keeps the zygote's shell as the program's parent, so a program that kills its
# parent kills that shell, not the server; a program killed by signal N then exits 128+N. The
# shell forks the subshell that waits for the order when the zygote is prepared, not when the
# run starts. A background job's stdin is /dev/null unless redirected, so the order and the
# program's stdin come from fd 3.
SUPERVISED = (
    'exec 3<&0; { IFS= read -r order <&3 || exit 0; eval "$order" <&3 3<&-; } & wait $!; exit $?\n'
)


def exec_line(argv: Sequence[str]) -> str:
    """A launch line that execs `argv`."""
    return "exec " + " ".join(shell_word(part) for part in argv) + "\n"


def cpu_seconds(limits: Limits) -> int:
    """CPU limit: a little above the wall limit, so busy loops die even if the wall timer lags."""
    return max(1, math.ceil(limits.wall_seconds) + 1)


def rlimits_for(limits: Limits, *, memory: bool = True) -> list[tuple[str, int, int]]:
    """The rlimits a run gets (names of `resource` constants, soft, hard)."""
    cpu = cpu_seconds(limits)
    file_bytes = limits.file_size_mb * MIB
    values = [
        ("RLIMIT_CORE", 0, 0),
        ("RLIMIT_CPU", cpu, cpu + 1),
        ("RLIMIT_FSIZE", file_bytes, file_bytes),
        ("RLIMIT_NOFILE", limits.open_files, limits.open_files),
    ]
    if memory:
        values.append(("RLIMIT_AS", limits.memory_mb * MIB, limits.memory_mb * MIB))
    return values


@dataclass
class Zygote:
    process: PipedProcess
    cgroup: PidsCgroup | None
    # A warm interpreter (see `warmpython`) takes its order in its own format, and carries the
    # marker its environment started with.
    order_for: Callable[[Sequence[str], str, Mapping[str, str]], bytes] | None = None
    marker: str | None = None

    def alive(self) -> bool:
        return self.process.returncode is None

    async def become(
        self,
        argv: Sequence[str],
        *,
        cwd: str,
        env: Mapping[str, str],
        rlimits: Sequence[tuple[str, int, int]],
        max_pids: int,
    ) -> None:
        """Turn the zygote into `argv` (it keeps its pid, session, cgroup and pipes)."""
        if self.cgroup is not None:
            self.cgroup.set_max(max_pids)
        if self.order_for is not None:  # its limits were set when it started
            order = self.order_for(argv, cwd, env)
        else:
            order = order_line(argv, cwd=cwd, env=env, rlimits=rlimits).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(order)
        await self.process.stdin.drain()

    async def discard(self) -> None:
        """End a zygote that will not be used (a second cancel cannot cut this short)."""
        await shielded(self._discard())

    async def _discard(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()  # the zygote reads EOF and exits
        try:
            await asyncio.wait_for(self.process.wait(), timeout=2)
        except asyncio.TimeoutError:
            self.process.kill()
            await self.process.wait()
        for reader in (self.process.stdout, self.process.stderr):
            if reader is not None:
                reader.feed_eof()
        if self.cgroup is not None:
            await asyncio.to_thread(self.cgroup.remove)


async def start_zygote(
    use_cgroup: bool = True,
    launch: str | None = None,
) -> Zygote:
    """A waiting zygote; with `launch`, one that has already run that shell line (see the
    module doc)."""

    def prepare() -> tuple[PipedProcess, PidsCgroup | None]:
        # Everything slow happens here, in a worker thread: the fork and exec, and moving the
        # waiting zygote into its cgroup (an RCU grace period).
        process = start_piped([SHELL, "-c", ZYGOTE_SCRIPT])
        cgroup = PidsCgroup.create(1024) if use_cgroup else None
        if cgroup is not None and not cgroup.adopt(process.pid):
            cgroup.remove()
            cgroup = None
        if launch is not None:
            # Only now, inside the cgroup, so that everything the launch starts is counted.
            try:
                process.write_before_attach(launch.encode())
            except OSError:
                _end_unattached(process, cgroup)
                raise
        return process, cgroup

    # The worker thread runs to completion even when we are cancelled, so a cancel must still
    # collect its shell and end it; otherwise a waiting zygote outlives the cancelled run.
    work = asyncio.ensure_future(asyncio.to_thread(prepare))
    try:
        await shielded(work)
    except asyncio.CancelledError:
        if work.done() and not work.cancelled() and work.exception() is None:
            _end_unattached(*work.result())
        raise
    process, cgroup = work.result()
    try:
        await shielded(process.attach())  # a cancel waits for it: never half attached
    except BaseException:
        if process.attached:  # attached, then the cancel: end it as an attached process
            await Zygote(process=process, cgroup=cgroup).discard()
        else:
            _end_unattached(process, cgroup)
        raise
    return Zygote(process=process, cgroup=cgroup)


def _end_unattached(process: PipedProcess, cgroup: PidsCgroup | None) -> None:
    """Kill and reap a zygote that never reached the event loop (blocking, but immediate)."""
    process.abandon()
    if cgroup is not None:
        cgroup.remove()


class ZygotePool:
    """Hands out zygotes; from the second run on, keeps `SPARES` more starting in the background.

    A pool whose sandbox many runs share (`eager`) keeps spares from its first run on, and
    `prepare_next()` may be called before any run to have them ready for the first one. Its
    runs come one at a time more often than back to back (an editor's Run File), so while a
    run goes on it starts a spare only when none is left, and its sandbox calls `refill()` once
    the run is over: the start-up of the next spares does not compete with the run for CPU.

    Two, because a zygote's move into its cgroup waits for an RCU grace period that can be
    longer than a short run: with one spare, back-to-back runs would wait for it.
    """

    SPARES = 2

    def __init__(self, launch: str | None = None, *, eager: bool = False) -> None:
        self._spares: list[asyncio.Future[Zygote]] = []
        self._takes = 0
        self._closed = False
        self.launch = launch
        self.eager = eager

    def _start(self) -> asyncio.Future[Zygote]:
        return asyncio.ensure_future(start_zygote(launch=self.launch))

    async def take(self) -> Zygote:
        zygote = await self.take_waiting()
        if zygote is not None:
            return zygote
        self._takes += 1
        return await self._claim(self._start())

    async def take_waiting(self) -> Zygote | None:
        """A live spare (one that is ready first, else the oldest), or None when none is left."""
        while self._spares:
            ready = [spare for spare in self._spares if spare.done()]
            spare = ready[0] if ready else self._spares[0]
            self._spares.remove(spare)
            try:
                zygote = await self._claim(spare)
            except OSError:
                continue
            if zygote.alive():
                self._takes += 1
                return zygote
            await zygote.discard()
        return None

    async def _claim(self, start: asyncio.Future[Zygote]) -> Zygote:
        """The zygote `start` makes. A cancel that arrives just as it is made would drop it
        (the result of an awaited task is lost when the awaiting task is cancelled meanwhile):
        it then goes back to the spares, which `close()` ends."""
        try:
            return await start
        except asyncio.CancelledError:
            if start.done() and not start.cancelled() and start.exception() is None:
                if self._closed:
                    await start.result().discard()
                else:
                    self._spares.insert(0, start)
            raise

    def prepare_next(self) -> None:
        """Start spare zygotes (after the current run has started, so they overlap it)."""
        if (self._takes < 2 and not self.eager) or self._closed:
            return  # one-off runs (`fixloop run`) should not pay for spares
        wanted = 1 if self.eager and self._takes > 0 else self.SPARES
        while len(self._spares) < wanted:
            self._spares.append(self._start())

    def refill(self) -> None:
        """A run of an eager pool is over: start the spares it did not start meanwhile."""
        if self.eager and not self._closed:
            while len(self._spares) < self.SPARES:
                self._spares.append(self._start())

    async def close(self) -> None:
        self._closed = True  # a run still starting must not add spares nobody would end
        await shielded(self._close())

    async def _close(self) -> None:
        spares, self._spares = self._spares, []
        for spare in spares:
            try:
                zygote = await spare
            except (OSError, asyncio.CancelledError):
                continue
            await zygote.discard()


def user_process_count() -> int:
    """Processes of our real uid (for RLIMIT_NPROC when no cgroup is available)."""
    uid = os.getuid()
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                continue
    return count


def nproc_rlimit(limits: Limits, cgroup: PidsCgroup | None) -> list[tuple[str, int, int]]:
    """RLIMIT_NPROC for non-root users without a cgroup (the kernel ignores it for root)."""
    if cgroup is not None or os.geteuid() == 0:
        return []
    allowed = user_process_count() + limits.processes
    return [("RLIMIT_NPROC", allowed, allowed)]
