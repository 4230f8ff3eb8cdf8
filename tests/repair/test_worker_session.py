"""The collected session (the fast path) sees what a fresh pytest process sees.

For real-world-shaped projects (`session_projects`), a warm worker in a real sandbox opens the
pytest session once, then runs the original and candidates of every kind (a function body, a
property, a teardown that fails, a module-level constant, a new name, an import that raises, a
function that collection itself used) through its forked children. Every per-test outcome
must equal a fresh `python -m pytest` process's on the same text, with the same per-test cut
for the tests that hang, and the child must report the swap the candidate called for. bwrap
and local run every project; docker (its image has its own, older pytest) runs one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fixloop.oracle import Oracle
from fixloop.oracle_runs import collect_request, run_pytest_fresh, worker_request
from fixloop.repair.warm import WarmWorker
from fixloop.sandbox import open_sandbox
from fixloop.sandbox.base import Limits, Sandbox
from fixloop.sandbox_worker.protocol import ResultRecord, RunAnswer, RunnerName

from .session_projects import PROJECTS, Project

CUT = 0.5  # per-test cut of both sides, for the tests that hang


def outcomes(results: list[ResultRecord]) -> list[tuple[str, str, Any]]:
    return sorted((r["id"], r["outcome"], r.get("line")) for r in results)


async def through_the_session(sandbox: Sandbox, root: Path, project: Project) -> list[RunAnswer]:
    oracle = Oracle("tests", project.target, tests=project.tests)
    worker = WarmWorker(sandbox, root, Limits(wall_seconds=900, memory_mb=1024))
    try:
        assert await worker.start(["pytest"]), worker.reason
        opened = await worker.collect(collect_request(oracle, project.original), timeout=120)
        assert opened is not None and opened["ok"], opened
        answers = []
        for candidate in project.candidates:
            request = worker_request(
                oracle,
                overlay={project.target: candidate.text},
                timeout=60,
                runner="session",
                test_timeout=CUT,
            )
            answer = await worker.run(request, timeout=120)
            assert answer is not None, worker.reason
            answers.append(answer)
        return answers
    finally:
        await worker.close()


async def check_project(sandbox: Sandbox, root: Path, project: Project) -> None:
    answers = await through_the_session(sandbox, root, project)
    for candidate, answer in zip(project.candidates, answers, strict=True):
        fresh = await run_pytest_fresh(
            sandbox,
            root,
            project.tests,
            {project.target: candidate.text},
            Limits(wall_seconds=120),
            test_cut=CUT,
        )
        assert fresh.answer is not None, (candidate.label, fresh.result)
        assert fresh.answer["results"], candidate.label
        assert outcomes(answer["results"]) == outcomes(fresh.answer["results"]), candidate.label
        assert answer["swap"] == candidate.swap, (candidate.label, answer["fallback"])
        assert bool(answer["fallback"]) == (candidate.swap == "full"), candidate.label
    # The candidates only ever lived in the worker: the file on disk is the original.
    assert (root / project.target).read_text(encoding="utf-8") == project.original


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["bwrap", "local"])
@pytest.mark.parametrize("name", sorted(PROJECTS))
async def test_the_session_gives_fresh_pytest_outcomes(
    kind: str, name: str, tmp_path: Path
) -> None:
    project = PROJECTS[name]
    sandbox = await open_sandbox(kind)
    try:
        await check_project(sandbox, project.write(tmp_path / name), project)
    finally:
        await sandbox.close()


@pytest.mark.slow
@pytest.mark.docker
async def test_the_session_gives_fresh_pytest_outcomes_in_docker(tmp_path: Path) -> None:
    if os.environ.get("FIXLOOP_SKIP_DOCKER") == "1":
        pytest.skip("FIXLOOP_SKIP_DOCKER=1")
    project = PROJECTS["shop"]
    sandbox = await open_sandbox("docker", image=os.environ.get("FIXLOOP_TEST_IMAGE"))
    try:
        await check_project(sandbox, project.write(tmp_path / "shop"), project)
    finally:
        await sandbox.close()


def test_every_swap_kind_and_project_shape_is_exercised() -> None:
    swaps = {c.swap for project in PROJECTS.values() for c in project.candidates}
    assert swaps == {"none", "patched", "reexec", "full"}
    configs = {name for project in PROJECTS.values() for name in project.files}
    assert {"pyproject.toml", "pytest.ini", "setup.cfg", "tests/conftest.py"} <= configs


STUBBORN = {
    "pytest.ini": "[pytest]\n",
    "loop.py": (
        "def stubborn():\n"
        "    while True:\n"
        "        try:\n"
        "            while True:\n"
        "                pass\n"
        "        except BaseException:  # swallows the soft cut too\n"
        "            pass\n"
    ),
    "test_loop.py": (
        "from loop import stubborn\n\n\n"
        "def test_first():\n    assert True\n\n\n"
        "def test_stubborn():\n    stubborn()\n\n\n"
        "def test_last():\n    assert True\n"
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("runner", ["session", "light"])
async def test_a_hang_that_swallows_its_cut_is_killed_and_the_rest_still_runs(
    runner: RunnerName, tmp_path: Path
) -> None:
    for name, text in STUBBORN.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    oracle = Oracle("tests", "loop.py", tests=("test_loop.py",))
    sandbox = await open_sandbox("bwrap")
    worker = WarmWorker(sandbox, tmp_path, Limits(wall_seconds=300))
    try:
        assert await worker.start(["pytest"]), worker.reason
        if runner == "session":
            opened = await worker.collect(collect_request(oracle, STUBBORN["loop.py"]), timeout=120)
            assert opened is not None and opened["ok"], opened
        request = worker_request(
            oracle,
            timeout=600,
            isolate_hangs=True,
            runner=runner,
            test_timeout=0.3,  # type: ignore[arg-type]
        )
        # The child's own limit (600 s) is far beyond what the host waits for this answer: only
        # the kill shortly after the cut lets the answer come, with the other tests run.
        answer = await worker.run(request, timeout=30)
    finally:
        await worker.close()
        await sandbox.close()
    assert answer is not None, worker.reason
    assert {r["id"]: r["outcome"] for r in answer["results"]} == {
        "test_loop.py::test_first": "passed",
        "test_loop.py::test_stubborn": "timeout",
        "test_loop.py::test_last": "passed",
    }
