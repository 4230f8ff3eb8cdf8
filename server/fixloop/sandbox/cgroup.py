"""Process-count limits and whole-tree cleanup through a cgroup `pids` controller.

`RLIMIT_NPROC` counts processes per real user, and the kernel ignores it for root, so as root it
cannot stop a fork bomb (inside bwrap too: the user namespace maps back to root). A `pids` cgroup
counts only the processes of one run, whoever owns them, and lists them all, including ones that
escaped the process group with `setsid` or a double fork, so cleanup can kill every one of them.
Used when the machine offers a writable `pids` hierarchy (cgroup v1 as root, or a delegated v2
subtree); otherwise callers fall back to rlimits and an environment marker scan.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

_V1_ROOT = Path("/sys/fs/cgroup/pids")
_V2_ROOT = Path("/sys/fs/cgroup")
_PARENT_NAME = "fixloop"


def _v2_base() -> Path | None:
    """Our own v2 cgroup, when the pids controller is delegated to it and writable."""
    if not (_V2_ROOT / "cgroup.controllers").exists():
        return None
    try:
        own = Path("/proc/self/cgroup").read_text().strip().splitlines()
    except OSError:
        return None
    for entry in own:
        if entry.startswith("0::"):
            base = _V2_ROOT / entry[3:].lstrip("/")
            try:
                enabled = (base / "cgroup.subtree_control").read_text().split()
            except OSError:
                return None
            if "pids" in enabled and os.access(base, os.W_OK):
                return base
    return None


def _base() -> Path | None:
    if (_V1_ROOT / "cgroup.procs").exists() and os.access(_V1_ROOT, os.W_OK):
        return _V1_ROOT
    return _v2_base()


class PidsCgroup:
    """One run's cgroup. Create with `create()`, move a waiting process in with `adopt()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._procs = str(path / "cgroup.procs")
        # Opening a cgroup file costs about 0.1 ms the first time; the files a run writes and
        # reads are opened while the zygote is prepared, so the run pays microseconds.
        self._max_fd: int | None = None
        self._current_fd: int | None = None

    @classmethod
    def create(cls, max_pids: int) -> PidsCgroup | None:
        """A fresh cgroup limited to `max_pids` tasks, or None when the machine offers none."""
        base = _base()
        if base is None:
            return None
        parent = base / _PARENT_NAME if base == _V1_ROOT else base
        name = f"fixloop-run-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        try:
            parent.mkdir(exist_ok=True)
            path = parent / name
            path.mkdir()
            (path / "pids.max").write_text(str(max_pids))
        except OSError:
            return None
        cgroup = cls(path)
        cgroup._open_control_files()
        return cgroup

    def _open_control_files(self) -> None:
        try:
            self._max_fd = os.open(self.path / "pids.max", os.O_WRONLY | os.O_CLOEXEC)
            self._current_fd = os.open(self.path / "pids.current", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self._close_control_files()

    def _close_control_files(self) -> None:
        for fd in (self._max_fd, self._current_fd):
            if fd is not None:
                os.close(fd)
        self._max_fd = self._current_fd = None

    def adopt(self, pid: int) -> bool:
        """Move a (waiting) process into the cgroup from outside; False if that failed."""
        try:
            Path(self._procs).write_text(str(pid))
        except OSError:
            return False
        return True

    def set_max(self, max_pids: int) -> None:
        try:
            if self._max_fd is not None:
                os.write(self._max_fd, str(max_pids).encode())
            else:
                (self.path / "pids.max").write_text(str(max_pids))
        except OSError:
            pass

    def empty(self) -> bool:
        """True when no live process is left. The task count answers with one read when it is
        zero (it still counts zombies that are not reaped yet); otherwise the member list,
        which leaves out exiting tasks, decides."""
        if self._current_fd is not None:
            try:
                if int(os.pread(self._current_fd, 32, 0)) == 0:
                    return True
            except (OSError, ValueError):
                pass
        return not self.pids()

    def pids(self) -> list[int]:
        try:
            text = Path(self._procs).read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def limit_hit(self) -> bool:
        """True when a fork was refused because the limit was reached."""
        try:
            events = (self.path / "pids.events").read_text()
        except OSError:
            return False
        for line in events.splitlines():
            key, _, value = line.partition(" ")
            if key == "max" and value.strip() not in ("", "0"):
                return True
        return False

    def kill_all(self) -> None:
        """SIGKILL every member; first freeze forking so a fork bomb cannot outrun the loop."""
        self.set_max(1)
        for _ in range(200):
            members = self.pids()
            if not members:
                return
            for pid in members:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.002)

    def remove(self) -> None:
        """Kill what is left and remove the directory (retrying while zombies are reaped)."""
        self.kill_all()
        self._close_control_files()
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.01)


def reap_stale() -> None:
    """Remove cgroups left by crashed fixloop processes (their owner pid is gone)."""
    base = _base()
    if base is None:
        return
    parent = base / _PARENT_NAME if base == _V1_ROOT else base
    try:
        entries = list(parent.iterdir())
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith("fixloop-run-"):
            continue
        owner = entry.name.split("-")[2]
        if owner.isdigit() and Path(f"/proc/{owner}").exists():
            continue
        PidsCgroup(entry).remove()
