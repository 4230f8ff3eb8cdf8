"""The processes below one process, read from its own /proc entries, and polls with deadlines.

Tests that check "nothing is left running" look only at the descendants of a process they
started (the server, the test itself), through `/proc/<pid>/task/<tid>/children`, never at
every process on the machine: other suites run beside them on a shared machine. Waiting is a
poll on a state with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fixloop.sandbox.warmpython import BOOT, WAITING_NAME
from fixloop.sandbox.zygote import ZYGOTE_SCRIPT


@dataclass(frozen=True)
class Proc:
    pid: int
    state: str  # the one-letter state of /proc/<pid>/stat: R, S, D, Z, ...
    command: str
    name: str = ""  # /proc/<pid>/comm

    def __repr__(self) -> str:
        return f"Proc({self.pid}, {self.state}, {self.command[:100]!r})"

    @property
    def zombie(self) -> bool:
        return self.state == "Z"


def waiting_spare(proc: Proc) -> bool:
    """Is this a sandbox's spare zygote or warm interpreter still waiting for its order?

    A shared sandbox keeps such spares ready between runs (for a local sandbox the shell
    itself, for bwrap also the bubblewrap around it): they are not leftovers of a run, and they
    end when the sandbox closes. A zygote that took an order has exec'd the program (or, for a
    supervised one, a child of it has), so a run's process never carries its command line. A
    warm interpreter runs the program in place, keeping its command line: it is told apart by
    its process name, which it gives up when its order comes (`warmpython.WAITING_NAME`).
    """
    if proc.command.endswith(ZYGOTE_SCRIPT) or proc.name == WAITING_NAME:
        return True
    return proc.name == "bwrap" and BOOT in proc.command  # the bubblewrap around one


def children(pid: int) -> set[int]:
    """The direct children of every thread of `pid` (empty when it is gone)."""
    found: set[int] = set()
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in threads:
        try:
            text = Path(f"/proc/{pid}/task/{tid}/children").read_text()
        except OSError:
            continue
        found.update(int(child) for child in text.split())
    return found


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, zombies included."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        for child in children(pending.pop()):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def describe(pid: int) -> Proc | None:
    """State and command line of `pid`, or None once it is gone (reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    name, state = stat.split("(", 1)[1].rsplit(")", 1)[0], stat.rsplit(")", 1)[1].split()[0]
    return Proc(pid, state, raw.replace(b"\0", b" ").decode(errors="replace").strip(), name)


def below(pid: int) -> list[Proc]:
    """The descendants of `pid` that still exist, zombies included, with what they are."""
    return [proc for child in sorted(descendants(pid)) if (proc := describe(child)) is not None]


def alive(pids: set[int]) -> list[Proc]:
    """The processes among `pids` that still exist and are not zombies."""
    procs = (describe(pid) for pid in sorted(pids))
    return [proc for proc in procs if proc is not None and not proc.zombie]


async def poll(check: Callable[[], bool], deadline_seconds: float, every: float = 0.02) -> bool:
    """True as soon as `check()` holds; False when it still does not after the deadline."""
    end = time.monotonic() + deadline_seconds
    while True:
        if check():
            return True
        if time.monotonic() >= end:
            return False
        await asyncio.sleep(every)


async def settle_below(pid: int, deadline_seconds: float = 30.0) -> list[Proc]:
    """Wait until nothing (not even a zombie) is left below `pid`; what is left at the deadline."""
    await poll(lambda: not descendants(pid), deadline_seconds)
    return below(pid)


def rss_kib(pids: set[int]) -> int:
    """The resident memory of `pids` together, in KiB (processes that are gone count 0)."""
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def carries(pid: int, variable: str, value: str) -> bool:
    """True when `pid`'s initial environment has `variable=value` (False once it is gone)."""
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return f"{variable}={value}".encode() in environ.split(b"\0")


def matching_below(roots: set[int], matches: Callable[[Proc], bool]) -> list[Proc]:
    """Live processes for which `matches` holds among and below `roots`, or adopted by pid 1.

    A process that escaped its parents (a double fork, `setsid` and exit) is reparented to
    pid 1 here, so the children of pid 1 that match are searched too, with everything below
    them; nothing else on the machine is looked at.
    """
    candidates: set[int] = set(roots)
    for root in roots:
        candidates |= descendants(root)
    for orphan in alive(children(1)):
        if matches(orphan):
            candidates |= {orphan.pid} | descendants(orphan.pid)
    return [proc for proc in alive(candidates) if matches(proc)]


def marked_below(roots: set[int], variable: str, value: str) -> list[Proc]:
    """Live processes carrying `variable=value` among and below `roots`, or adopted by pid 1."""
    return matching_below(roots, lambda proc: carries(proc.pid, variable, value))


def sandbox_roots(sandbox: object) -> set[int]:
    """Processes below which a run of `sandbox` can live: this test process (local and bwrap
    runs are its descendants) and, for docker, every member of the sandbox's containers (read
    from each container's own pids cgroup, through its init's pid)."""
    roots = {os.getpid()}
    for container in getattr(sandbox, "_containers", {}).values():
        container.reload()
        init = int(container.attrs["State"]["Pid"] or 0)
        if not init:
            continue
        roots.add(init)
        for line in Path(f"/proc/{init}/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if "pids" in controllers.split(","):
                procs = Path(f"/sys/fs/cgroup/pids{path}/cgroup.procs")
                roots.update(int(pid) for pid in procs.read_text().split())
    return roots
