"""The wall limit holds on a busy machine, on every backend, for trees that fight the kill.

Two payloads, each ten times per backend, with two busy processes (started and stopped by the
test) competing for the CPU: a tree that ignores SIGTERM, with grandchildren in new sessions
and double-forked daemons, and a fork bomb. The overshoot (time the caller waited minus the
limit) is printed as median and maximum; the assertion is only that nothing outlived the run
and that no run took more than a generous bound past its limit (a run that was not killed at
all takes minutes).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fixloop.sandbox import RunSpec, Sandbox, Status

from .conftest import SMALL, run_leftovers

LIMIT = replace(SMALL, wall_seconds=1.0)
RUNS = 10
NOT_KILLED_SECONDS = 5.0

TREE = """
import os, signal, time

def hold():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        time.sleep(0.05)

signal.signal(signal.SIGTERM, signal.SIG_IGN)
for _ in range(2):
    if os.fork() == 0:  # a grandchild in a session of its own
        os.setsid()
        if os.fork() == 0:
            hold()
        hold()
    if os.fork() == 0:  # a daemon: double fork, new session, its parent gone
        if os.fork() == 0:
            os.setsid()
            hold()
        os._exit(0)
print("ready", flush=True)
hold()
"""
BOMB = """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""


@pytest.fixture
def cpu_hog() -> Iterator[None]:
    """Two busy processes beside the test, for as long as it runs."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait()


@pytest.mark.slow
@pytest.mark.parametrize("payload", ["tree", "bomb"])
async def test_the_wall_limit_holds_on_a_busy_machine(
    sandbox: Sandbox, project: Path, cpu_hog: None, payload: str
) -> None:
    code = TREE if payload == "tree" else BOMB
    overshoots = []
    for _ in range(RUNS):
        marker = uuid.uuid4().hex
        spec = RunSpec(
            argv=("payload.py",),
            root=project,
            limits=LIMIT,
            overlay={"payload.py": code},
            env={"LIMIT_MARKER": marker},
        )
        started = time.monotonic()
        result = await sandbox.run(spec)
        overshoots.append(time.monotonic() - started - LIMIT.wall_seconds)
        assert result.status is Status.TIMEOUT, result
        if payload == "tree":
            assert result.stdout == "ready\n", result
        assert run_leftovers(sandbox, "LIMIT_MARKER", marker) == []
    print(
        f"wall limit {LIMIT.wall_seconds:g}s, {sandbox.name}, {payload}, two busy processes "
        f"beside: overshoot median {statistics.median(overshoots):.2f}s, "
        f"max {max(overshoots):.2f}s over {RUNS} runs"
    )
    assert max(overshoots) < NOT_KILLED_SECONDS, overshoots
