"""Docker run uids are never handed to a run while a process of that uid lives in the container.

The allocator is forced around a range of a few uids, many times over, while a process of one
uid is held alive: ours (a long-lived worker) or one we did not start (an exec made directly on
the engine). Runs report the uid they got from inside the container.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from fixloop.sandbox import RunSpec, SandboxUnavailable, Status
from fixloop.sandbox.dockerbox import DockerSandbox
from fixloop.sandbox.dockerrun import RunUids
from proctree import poll

from .conftest import SMALL, run_code, run_leftovers, uid_alive

UID_REPORT = "import os\nprint(os.getuid())\n"
FEW = range(23100, 23105)


def test_uids_are_handed_out_in_turn_and_never_while_held() -> None:
    uids = RunUids(range(100, 104))
    held = uids.take()
    seen = []
    for _ in range(30):  # around the range many times
        uid = uids.take()
        seen.append(uid)
        uids.release(uid, clean=True)
    assert held not in seen and set(seen) == set(range(100, 104)) - {held}
    assert uids.held == {held}


def test_a_uid_not_confirmed_empty_is_never_used_again() -> None:
    uids = RunUids(range(100, 103))
    doubtful = uids.take()
    uids.release(doubtful, clean=False)
    assert all(uids.take() != doubtful for _ in range(2))
    with pytest.raises(SandboxUnavailable, match="every run uid"):
        uids.take()


@pytest.fixture
def few_uids(docker_sandbox: DockerSandbox) -> DockerSandbox:
    """A docker sandbox whose allocator has only a handful of uids to go around."""
    assert not docker_sandbox._uids.held  # nothing started yet: the allocator can be swapped
    docker_sandbox._uids = RunUids(FEW)
    return docker_sandbox


async def run_uids(sandbox: DockerSandbox, project: Path, count: int) -> list[int]:
    got = []
    for _ in range(count):
        result = await run_code(sandbox, project, UID_REPORT)
        assert result.status is Status.OK, result
        assert result.stdout.strip().isdigit(), result
        got.append(int(result.stdout))
    return got


@pytest.mark.docker
async def test_a_live_worker_keeps_its_uid_while_runs_go_around(
    few_uids: DockerSandbox, project: Path
) -> None:
    echo = (
        "import os, sys\nfor line in sys.stdin:\n    print(os.getuid(), line.strip(), flush=True)\n"
    )
    worker = await few_uids.start_process(
        RunSpec(argv=("echo.py",), root=project, limits=SMALL, overlay={"echo.py": echo})
    )
    try:
        worker.stdin.write(b"first\n")
        await worker.stdin.drain()
        held, word = (await worker.stdout.readline()).decode().split()
        assert word == "first" and int(held) in FEW
        got = await run_uids(few_uids, project, 4 * len(FEW))
        assert int(held) not in got, got
        assert set(got) <= set(FEW)
        # The worker was never touched by the runs' clean-up (a kill -1 as its uid would have).
        worker.stdin.write(b"again\n")
        await worker.stdin.drain()
        assert (await worker.stdout.readline()).decode().split() == [held, "again"]
    finally:
        await worker.kill()
    # Once the worker is gone, its uid serves runs again.
    assert int(held) in await run_uids(few_uids, project, 4 * len(FEW))


@pytest.mark.docker
async def test_a_process_nobody_told_us_about_keeps_its_uid_out_of_use(
    few_uids: DockerSandbox, project: Path
) -> None:
    await run_uids(few_uids, project, 1)  # the container exists
    (container,) = few_uids._containers.values()
    foreign = min(FEW)
    await asyncio.to_thread(
        container.exec_run, ["sleep", "300"], user=f"{foreign}:{foreign}", detach=True
    )
    assert await poll(lambda: uid_alive(container, foreign), 30)
    got = await run_uids(few_uids, project, 4 * len(FEW))
    assert foreign not in got, got
    assert uid_alive(container, foreign)  # never killed by a run that was handed its uid


@pytest.mark.docker
async def test_a_cancelled_run_leaves_nothing_and_its_uid_returns(
    few_uids: DockerSandbox, project: Path
) -> None:
    marker = uuid.uuid4().hex
    code = (
        "import subprocess, time\nsubprocess.Popen(['sleep', '300'], start_new_session=True)\n"
        "print('started', flush=True)\ntime.sleep(300)\n"
    )
    spec = RunSpec(
        argv=("hang.py",),
        root=project,
        limits=SMALL,
        overlay={"hang.py": code},
        env={"CANCEL_MARKER": marker},
    )
    run = asyncio.ensure_future(few_uids.run(spec))
    assert await poll(lambda: len(run_leftovers(few_uids, "CANCEL_MARKER", marker)) >= 2, 30)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert run_leftovers(few_uids, "CANCEL_MARKER", marker) == []
    assert few_uids._uids.held <= {
        spare.result().uid for spare in few_uids._spares.waiting() if spare.done()
    }


@pytest.mark.docker
async def test_a_warm_spare_of_a_busy_uid_starts_no_interpreter_and_answers_busy(
    docker_sandbox: DockerSandbox, project: Path
) -> None:
    """A warm spare checks its uid before it starts the waiting interpreter: one handed a uid
    that already has a process answers its order with the busy mark (the host then takes
    another spare) and leaves that process alone."""
    docker_sandbox.share()
    spec = RunSpec(argv=("who.py",), root=project, limits=SMALL, overlay={"who.py": UID_REPORT})
    assert (await docker_sandbox.run(spec)).status is Status.OK  # the container exists
    (container,) = docker_sandbox._containers.values()
    foreign = FEW.start
    await asyncio.to_thread(
        container.exec_run, ["sleep", "300"], user=f"{foreign}:{foreign}", detach=True
    )
    assert await poll(lambda: uid_alive(container, foreign), 30)
    # The same start on a free uid does leave an interpreter waiting as that uid.
    free = FEW.start + 1
    docker_sandbox._uids = RunUids(range(free, free + 1))
    clean = await docker_sandbox._start_spare(False, spec)
    assert await poll(lambda: spare_interpreters(container, free), 30)
    clean.writer.write_eof()
    clean.writer.close()
    docker_sandbox._uids = RunUids(range(foreign, foreign + 1))
    spare = await docker_sandbox._start_spare(False, spec)
    assert spare.warm_env is not None and spare.uid == foreign
    directory = await asyncio.to_thread(docker_sandbox._stage, spec)
    assert await docker_sandbox._run_on(spare, spec, directory) is None
    assert uid_alive(container, foreign)
    assert not await asyncio.to_thread(spare_interpreters, container, foreign)


def spare_interpreters(container: object, uid: int) -> bool:
    """Is a process of `uid` in the container a waiting interpreter (named fixloop-spare)?"""
    code, _ = container.exec_run(  # type: ignore[attr-defined]
        [
            "sh",
            "-c",
            f"for p in /proc/[0-9]*; do [ $(stat -c %u $p) = {uid} ] && "
            f"grep -qx fixloop-spare $p/comm && exit 0; done; exit 1",
        ]
    )
    return code == 0
