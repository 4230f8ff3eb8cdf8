"""The script oracle keeps the original's work: output printed before the failure, lines that ran.

A candidate that avoids the error by skipping the work (a guard that leaves the loop at its first
iteration, an early return before the computation) exits 0 and prints a wrong result; it must
not be verified. The worker records what a script run printed and how often each line ran, in
the warm worker and in the fresh proof, and `fixloop.repair.footprint` compares it with the
original's run. These tests use the real worker in a real sandbox.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from fixloop.fixes import FixRequest, prepare
from fixloop.observation import Observation, ScriptFootprint, TestOutcome
from fixloop.oracle_runs import observe_fresh_worker, worker_request
from fixloop.patch import kept_lines
from fixloop.repair.engine import CandidateVerdict
from fixloop.repair.footprint import script_reference, skipped_work
from fixloop.repair.verify import Verifier
from fixloop.sandbox import open_sandbox
from fixloop.sandbox.base import ErrorInfo, Frame, Limits
from fixloop.sandbox_worker.footprint import EVENT_BUDGET, STDOUT_CAP
from fixloop.settings import Settings

from .conftest import SANDBOX

WEEKLY = textwrap.dedent(
    """
    DAYS = ["Mon", "Tue", "Wed"]
    READINGS = [1.0, 3.0, 2.0, 4.0, 5.0, 7.0]


    def report(readings, per_day):
        days = len(readings) // per_day
        total = 0.0
        for day in range(days + 1):
            chunk = readings[day * per_day:(day + 1) * per_day]
            mean = sum(chunk) / len(chunk)
            print(f"{DAYS[day]}: {mean:.1f}")
            total += mean
        return total / days


    print(f"week: {report(READINGS, 2):.2f}")
    """
).lstrip("\n")
LEAVES_EARLY = WEEKLY.replace(
    "        chunk = readings", "        if day:\n            break\n        chunk = readings"
)
RIGHT = WEEKLY.replace("range(days + 1)", "range(days)")
SKIPS_ONE_DAY = WEEKLY.replace("range(days + 1)", "range(days - 1)")


async def _observe(root: Path, text: str) -> Observation:
    prepared = prepare(FixRequest(Path("weekly.py"), root))
    sandbox = await open_sandbox(SANDBOX)
    try:
        request = worker_request(
            prepared.oracle, overlay={"weekly.py": text}, timeout=20, footprint=True
        )
        return await observe_fresh_worker(sandbox, root, request, Limits(wall_seconds=30))
    finally:
        await sandbox.close()


@pytest.fixture
def weekly(tmp_path: Path) -> Path:
    (tmp_path / "weekly.py").write_text(WEEKLY)
    return tmp_path


async def test_the_worker_records_output_and_line_counts_of_a_failing_script(
    weekly: Path,
) -> None:
    observation = await _observe(weekly, WEEKLY)
    (outcome,) = observation.outcomes
    assert outcome.outcome == "failed" and outcome.error is not None
    assert outcome.error.type == "ZeroDivisionError"
    footprint = outcome.footprint
    assert footprint is not None and footprint.hits_complete
    assert footprint.stdout == "Mon: 2.0\nTue: 3.0\nWed: 6.0\n"
    assert footprint.stdout_bytes == len(footprint.stdout)
    hits = dict(footprint.hits)
    chunk_line = WEEKLY.splitlines().index(
        "        chunk = readings[day * per_day:(day + 1) * per_day]"
    )
    assert hits[chunk_line + 1] == 4  # three days and the extra iteration that fails
    assert hits[chunk_line + 2] == 4  # the mean: three complete, the fourth raises


async def test_the_worker_keeps_only_the_head_of_a_flood_of_output(tmp_path: Path) -> None:
    (tmp_path / "weekly.py").write_text("import os\nfor _ in range(5000):\n    print('x' * 99)\n")
    observation = await _observe(tmp_path, (tmp_path / "weekly.py").read_text())
    footprint = observation.outcomes[0].footprint
    assert observation.ok and footprint is not None
    assert footprint.stdout_bytes == 5000 * 100
    assert len(footprint.stdout) == STDOUT_CAP


async def test_a_fix_that_leaves_the_loop_early_is_refused_and_the_right_one_kept(
    weekly: Path,
) -> None:
    original = await _observe(weekly, WEEKLY)
    reference = script_reference(original, original, "weekly.py")
    assert reference is not None and reference.stdout.startswith("Mon: 2.0\n")
    early = await _observe(weekly, LEAVES_EARLY)
    assert early.ok  # it runs without error: only the kept work tells it apart
    reason = skipped_work(reference, WEEKLY, LEAVES_EARLY, early)
    assert reason is not None and "does not print what the original printed" in reason
    shorter = await _observe(weekly, SKIPS_ONE_DAY)
    assert shorter.ok
    assert skipped_work(reference, WEEKLY, SKIPS_ONE_DAY, shorter) is not None
    right = await _observe(weekly, RIGHT)
    assert right.ok and skipped_work(reference, WEEKLY, RIGHT, right) is None


def _script(stdout: str, hits: dict[int, int], error_lines: tuple[int, ...] = ()) -> Observation:
    error = None
    if error_lines:
        frames = tuple(Frame("prog.py", line, "f") for line in error_lines)
        error = ErrorInfo("IndexError", "out of range", "prog.py", error_lines[-1], frames)
    outcome = TestOutcome(
        "script",
        "failed" if error_lines else "passed",
        error=error,
        footprint=ScriptFootprint(stdout, len(stdout), tuple(sorted(hits.items())), True),
    )
    return Observation((outcome,))


def test_lines_that_completed_must_still_run_at_least_half_as_often() -> None:
    source = "".join(f"line{n}\n" for n in range(1, 8))
    # Line 3 ran 9 times and completed 8 (the ninth raised); line 5 is the caller's frame.
    original = _script("", {1: 1, 3: 9, 5: 1}, error_lines=(5, 3))
    reference = script_reference(original, original, "prog.py")
    assert reference is not None and reference.completed == ((1, 1), (3, 8))
    assert skipped_work(reference, source, source, _script("", {1: 1, 3: 4, 5: 1})) is None
    reason = skipped_work(reference, source, source, _script("", {1: 1, 3: 3, 5: 1}))
    assert reason is not None and "line 3 ran 8 times" in reason and "3 times" in reason
    # An edited line asks nothing: the candidate decides what it does.
    edited = source.replace("line3\n", "changed\n")
    assert skipped_work(reference, source, edited, _script("", {1: 1, 5: 1})) is None
    # A line pushed down by an insertion is followed to its new number.
    pushed = source.replace("line2\n", "line2\nnew\n")
    assert kept_lines(source, pushed)[3] == 4
    assert skipped_work(reference, source, pushed, _script("", {1: 1, 4: 8})) is None
    assert skipped_work(reference, source, pushed, _script("", {1: 1, 3: 8})) is not None


def test_output_that_differs_between_two_runs_of_the_original_asks_nothing_past_it() -> None:
    fresh = _script("start\nat 12:00:01\nend\n", {}, error_lines=(2,))
    warm = _script("start\nat 12:00:02\nend\n", {}, error_lines=(2,))
    reference = script_reference(fresh, warm, "prog.py")
    assert reference is not None and reference.stdout == "start\n"
    later = _script("start\nat 12:00:09\nend\ndone\n", {})
    assert skipped_work(reference, "x\n", "y\n", later) is None
    assert skipped_work(reference, "x\n", "y\n", _script("begin\n", {})) is not None


def test_a_timed_out_original_asks_nothing() -> None:
    outcome = TestOutcome("script", "timeout", "timed out")
    assert script_reference(Observation((outcome,)), Observation((outcome,)), "prog.py") is None


async def test_the_fresh_proof_applies_the_check_too(weekly: Path) -> None:
    settings = Settings(sandbox=SANDBOX, timeout=20)
    prepared = prepare(FixRequest(Path("weekly.py"), weekly, settings))
    sandbox = await open_sandbox(SANDBOX)
    try:
        verifier = Verifier(sandbox, prepared, settings)
        original = await verifier.fresh(WEEKLY, first=True)
        reference = script_reference(original, original, "weekly.py")
        assert reference is not None

        def checker(text: str) -> Callable[[Observation], CandidateVerdict | None]:
            def check(proof: Observation) -> CandidateVerdict | None:
                reason = skipped_work(reference, WEEKLY, text, proof)
                return CandidateVerdict(False, "skips work", reason) if reason else None

            return check

        verdict, after = await verifier.prove(LEAVES_EARLY, check=checker(LEAVES_EARLY))
        assert not verdict.verified and verdict.outcome == "skips work" and after is None
        verdict, after = await verifier.prove(RIGHT, check=checker(RIGHT))
        assert verdict.verified and after is not None
    finally:
        await sandbox.close()


async def test_counting_stops_at_its_budget_and_says_so(tmp_path: Path) -> None:
    loop = "total = 0\nfor i in range(EVENTS):\n    total += i\nprint(total)\n"
    text = loop.replace("EVENTS", str(EVENT_BUDGET))
    (tmp_path / "weekly.py").write_text(text)
    observation = await _observe(tmp_path, text)
    footprint = observation.outcomes[0].footprint
    assert observation.ok and footprint is not None
    assert not footprint.hits_complete
    assert sum(count for _, count in footprint.hits) <= EVENT_BUDGET
    assert footprint.stdout == f"{sum(range(EVENT_BUDGET))}\n"  # the output is whole all the same
