"""A real Ray cluster on this machine, for the sweep's tests and `fixloop bench sweep`.

`LocalRayCluster` starts a head node (`ray start --head`) and, when asked, more worker nodes
(`ray start --address`), each with a temporary directory of its own and every port it opens
chosen free, usage statistics and the dashboard off. It stops only the processes it started:
the machine may be shared with other Ray clusters, so it never calls `ray stop` (which ends
every Ray process of the user). Its processes are found by the temporary directory their
command lines name, together with all their descendants (Ray's workers), and ended by PID.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

START_TIMEOUT = 120.0
STOP_GRACE = 5.0
# Not 127.0.0.1: Ray replaces "localhost" and 127.0.0.1 by the machine's network address, and
# a cluster for tests keeps all its traffic on the loopback range.
LOOPBACK = "127.0.0.2"


class ClusterError(Exception):
    """A node did not start; the message holds `ray start`'s output."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ray_command() -> list[str]:
    found = Path(sys.executable).with_name("ray")
    return [str(found)] if found.exists() else [sys.executable, "-m", "ray.scripts.scripts"]


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) for every process we can see."""
    table: dict[int, tuple[int, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        table[int(entry)] = (int(fields[1]), command)
    return table


class LocalRayCluster:
    """A head node plus `extra_nodes` worker nodes on this machine; use as a context manager."""

    def __init__(self, head_cpus: int = 2, extra_nodes: int = 1, extra_cpus: int = 1) -> None:
        self.head_cpus = head_cpus
        self.extra_nodes = extra_nodes
        self.extra_cpus = extra_cpus
        # Short: Ray's unix sockets live under the temp dir, and socket paths are limited.
        self.base = Path(tempfile.mkdtemp(prefix="fxray-", dir="/tmp"))
        self.port = free_port()
        self.address = f"{LOOPBACK}:{self.port}"
        self._dirs: list[Path] = []

    def __enter__(self) -> LocalRayCluster:
        try:
            self._start(head=True, cpus=self.head_cpus)
            for _ in range(self.extra_nodes):
                self._start(head=False, cpus=self.extra_cpus)
            self._wait_for_nodes(1 + self.extra_nodes)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start(self, *, head: bool, cpus: int) -> None:
        temp = self.base / f"n{len(self._dirs)}"
        temp.mkdir()
        self._dirs.append(temp)
        ports = {
            "--node-manager-port": free_port(),
            "--object-manager-port": free_port(),
            "--dashboard-agent-listen-port": free_port(),
            "--dashboard-agent-grpc-port": free_port(),
            "--metrics-export-port": free_port(),
            "--runtime-env-agent-port": free_port(),
        }
        argv = [*_ray_command(), "start", "--num-cpus", str(cpus), "--temp-dir", str(temp)]
        argv += ["--disable-usage-stats", "--node-ip-address", LOOPBACK]
        if head:
            argv += ["--head", "--port", str(self.port), "--include-dashboard", "false"]
            argv += ["--dashboard-port", str(free_port())]
        else:
            argv += ["--address", self.address]
        for flag, port in ports.items():
            argv += [flag, str(port)]
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
        env.pop("RAY_ADDRESS", None)
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=START_TIMEOUT, env=env, check=False
        )
        if done.returncode != 0:
            raise ClusterError(f"`ray start` failed ({done.returncode}): {done.stderr[-3000:]}")

    def _wait_for_nodes(self, expected: int) -> None:
        """The node count the head reports, through Ray's own state API in a subprocess."""
        probe = (
            "import ray, sys\n"
            f"ray.init(address={self.address!r}, log_to_driver=False, _node_ip_address={LOOPBACK!r})\n"
            "print(len([n for n in ray.nodes() if n['Alive']]))\n"
            "ray.shutdown()\n"
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            done = subprocess.run(
                [sys.executable, "-c", probe],
                capture_output=True,
                text=True,
                timeout=START_TIMEOUT,
                check=False,
            )
            lines = done.stdout.strip().splitlines()
            if (
                done.returncode == 0
                and lines
                and lines[-1].isdigit()
                and int(lines[-1]) >= expected
            ):
                return
            time.sleep(0.5)
        raise ClusterError(f"the cluster did not report {expected} nodes in time")

    def pids(self) -> set[int]:
        """Every live process of this cluster: those naming its temp dir, and their children."""
        table = _processes()
        mine = {pid for pid, (_, command) in table.items() if str(self.base) in command}
        grew = True
        while grew:
            children = {pid for pid, (parent, _) in table.items() if parent in mine} - mine
            mine |= children
            grew = bool(children)
        mine.discard(os.getpid())
        return mine

    def worker_pids(self, task_name: str) -> list[int]:
        """Ray worker processes of this cluster running a task (their title is `ray::NAME`)."""
        table = _processes()
        return sorted(
            pid
            for pid in self.pids()
            if pid in table and table[pid][1].startswith(f"ray::{task_name}")
        )

    def stop(self) -> None:
        """End this cluster's processes (TERM, then KILL after a grace), and remove its dirs."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            pids = self.pids()
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + STOP_GRACE
            while pids and time.monotonic() < deadline:
                pids = {pid for pid in pids if Path(f"/proc/{pid}").exists() and not _zombie(pid)}
                time.sleep(0.1)
        shutil.rmtree(self.base, ignore_errors=True)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True
