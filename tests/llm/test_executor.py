"""The executor side of task mode: warm worker and cold runs give the same answers, and survive
hostile programs (hangs, killing the worker, floods, leftovers) on the real local, bwrap and Docker
sandboxes (Docker uses FIXLOOP_TEST_IMAGE and skips only when FIXLOOP_SKIP_DOCKER=1)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from fixloop.repair.llm.executor import ProgramExecutor
from fixloop.sandbox import open_sandbox
from fixloop.sandbox.base import Status
from fixloop.settings import Settings
from proctree import Proc, matching_below, sandbox_roots

SETTINGS = Settings(timeout=2.0, memory=512)


@pytest.fixture(params=["local", "bwrap", pytest.param("docker", marks=pytest.mark.docker)])
async def executor(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[ProgramExecutor]:
    if request.param == "docker" and os.environ.get("FIXLOOP_SKIP_DOCKER") == "1":
        pytest.skip("FIXLOOP_SKIP_DOCKER=1")
    (tmp_path / "data.txt").write_text("3\n4\n")
    image = os.environ.get("FIXLOOP_TEST_IMAGE")  # built by scripts/install-docker.sh
    sandbox = await open_sandbox(request.param, image=image)
    runner = ProgramExecutor(sandbox, tmp_path, replace(SETTINGS, sandbox=request.param))
    runner.prepare()
    assert runner._worker_start is not None
    assert await runner._worker_start is not None, "the warm worker did not start"
    try:
        yield runner
    finally:
        await runner.close()
        await sandbox.close()


PROGRAM = """
numbers = [int(line) for line in open("data.txt")]
with open("sum.txt", "w") as handle:
    handle.write(str(sum(numbers)))
print("sum", sum(numbers))
"""


async def test_warm_and_cold_runs_agree(executor: ProgramExecutor, tmp_path: Path) -> None:
    warm, warm_files, _ = await executor.run("prog.py", PROGRAM)
    cold, cold_files, _ = await executor._run_cold("prog.py", PROGRAM, None)
    assert executor.warm_runs == 1
    assert warm.ok and cold.ok and warm.stdout == cold.stdout == "sum 7\n"
    assert warm_files == cold_files == {"sum.txt": b"7"}
    assert sorted(os.listdir(tmp_path)) == ["data.txt"]  # the project is untouched


async def test_errors_are_parsed_on_the_warm_path(executor: ProgramExecutor) -> None:
    run, _, _ = await executor.run("prog.py", "def f():\n    return 1 / 0\n\nf()\n")
    assert run.status is Status.ERROR and run.exit_code == 1
    assert run.error is not None and run.error.type == "ZeroDivisionError" and run.error.line == 2
    exited, _, _ = await executor.run("prog.py", "import sys\nprint('bye')\nsys.exit(3)\n")
    assert exited.exit_code == 3 and exited.stdout == "bye\n"


async def test_a_hanging_program_times_out_and_the_worker_lives_on(
    executor: ProgramExecutor,
) -> None:
    run, _, _ = await executor.run("prog.py", "while True:\n    pass\n")
    assert run.status is Status.TIMEOUT and run.limit_hit == "wall"
    again, _, _ = await executor.run("prog.py", "print('still here')\n")
    assert again.ok and again.stdout == "still here\n" and executor.warm_runs == 2


async def test_a_program_that_kills_the_worker_falls_back_to_cold_runs(
    executor: ProgramExecutor,
) -> None:
    run, _, _ = await executor.run(
        "prog.py", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint('done')\n"
    )
    assert executor.cold_runs == 1  # the same program was run again the cold way
    assert run.status in (Status.OK, Status.ERROR, Status.KILLED, Status.SANDBOX_ERROR)
    after, _, _ = await executor.run("prog.py", "print('fine')\n")
    assert after.ok and after.stdout == "fine\n" and executor.cold_runs == 2


async def test_leftover_children_are_killed(executor: ProgramExecutor, tmp_path: Path) -> None:
    marker = f"fixloop-leftover-{os.getpid()}-{id(executor)}"
    code = (
        f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', '{marker}'],"
        " start_new_session=False)\nprint('spawned')\n"
    )
    run, _, _ = await executor.run("prog.py", code)
    assert run.ok and run.stdout == "spawned\n"
    assert _alive(executor, marker) == []


def _alive(executor: ProgramExecutor, marker: str) -> list[Proc]:
    """Live processes with `marker` on their command line where the executor's runs live.

    Only this test's descendants, the sandbox's containers and orphans adopted by pid 1 are
    read: other suites on a shared machine run programs of their own.
    """
    return matching_below(sandbox_roots(executor.sandbox), lambda proc: marker in proc.command)


async def test_output_flood_is_capped(executor: ProgramExecutor) -> None:
    run, _, _ = await executor.run("prog.py", "while True:\n    print('x' * 1000)\n")
    assert run.status is Status.OUTPUT_LIMIT and run.limit_hit == "output"
    assert len(run.stdout) <= executor.limits.output_bytes and run.truncated


async def test_large_produced_files_are_listed_not_copied(executor: ProgramExecutor) -> None:
    run, files, skipped = await executor.run(
        "prog.py",
        "open('big.bin', 'wb').write(b'0' * 600_000)\nopen('small.txt', 'w').write('ok')\n",
    )
    assert run.ok and files == {"small.txt": b"ok"} and skipped == ["big.bin"]
