"""Fixtures for the trust probes: projects, a scripted model, and the loop's run-time checks alone.

Everything here is real: sandboxes (local, bwrap, docker with FIXLOOP_TEST_IMAGE), warm workers,
fresh pytest proofs, the `openai` client against tests/llm/scripted_server.py. `RuntimeChecks`
builds the loop's validator the way `run_fix` does, but with guards that let every candidate
run: the guards are the seam it opens, so a probe can show that the run-time checks alone
(strict assertions, the test modules' identity, pristine test files, every test must pass)
catch what a candidate would do if the static guard ever missed it. Docker probes skip only when
FIXLOOP_SKIP_DOCKER=1 says so.
"""

from __future__ import annotations

import json
import os
import textwrap
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixloop.fixes import FixRequest, FixResult, prepare
from fixloop.guards import Screening
from fixloop.loop import run_fix
from fixloop.oracle import pristine_files
from fixloop.repair.baseline import Baseline, reproduce
from fixloop.repair.budget import Budget
from fixloop.repair.engine import CandidateVerdict
from fixloop.repair.pool import WorkerPool
from fixloop.repair.runs import WarmRuns
from fixloop.repair.search import SearchState
from fixloop.repair.validate import CandidateValidator
from fixloop.repair.verify import Verifier
from fixloop.sandbox import open_sandbox
from fixloop.sandbox.base import Limits, Sandbox
from fixloop.settings import Settings
from fixloop.spans import LineRange
from fixloop.transcript import Transcript
from llm.conftest import model_env, scripted  # tests/ is on sys.path (rootdir packages)

__all__ = ["model_env", "scripted"]  # the model-layer fixtures, shared with tests/llm

# The projects the probes share: `mean` fails on an empty list (with its tests), `total`
# subtracts where it should add and its own assert says so (a script, no tests).
STATS_TESTS = """
    from stats import mean


    def test_mean():
        assert mean([1, 2, 3]) == 2


    def test_mean_of_nothing_is_zero():
        assert mean([]) == 0.0
    """
STATS = """
    def mean(values):
        return sum(values) / len(values)
    """
TOTAL = """
    def total(values):
        result = 0
        for value in values:
            result -= value
        assert result == sum(values)
        return result


    print(total([1, 2, 3]))
    """


def code(text: str) -> str:
    """An indented source literal of a test, as a file holds it."""
    return textwrap.dedent(text).lstrip("\n")


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code(text), encoding="utf-8")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def transcript_records(result: FixResult) -> list[dict]:
    assert result.transcript is not None
    lines = Path(result.transcript).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def candidates(result: FixResult) -> list[dict]:
    return [r for r in transcript_records(result) if r["kind"] == "candidate"]


def skip_docker_if_asked(kind: str) -> None:
    if kind == "docker" and os.environ.get("FIXLOOP_SKIP_DOCKER") == "1":
        pytest.skip("FIXLOOP_SKIP_DOCKER=1")


def settings_for(kind: str, **overrides: object) -> Settings:
    values: dict[str, object] = {"sandbox": kind, "budget": 60.0}
    if kind == "docker":
        values["docker_image"] = os.environ.get("FIXLOOP_TEST_IMAGE", Settings().docker_image)
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("FIXLOOP_STATE_DIR", str(state))
    return state


async def fix_with_model(
    root: Path,
    path: str,
    kind: str,
    *,
    lines: LineRange,
    tests: tuple[str, ...] = (),
    **settings: object,
) -> FixResult:
    chosen = settings_for(kind, engine="llm", **settings)
    request = FixRequest(path=Path(path), root=root, settings=chosen, line_range=lines, tests=tests)
    return await run_fix(request)


class _LetEverythingRun:
    """The guards' seam opened: every candidate runs, so only run-time checks can stop it."""

    def screen(self, candidate: str) -> Screening:
        return Screening("run")


@dataclass
class RuntimeChecks:
    """The loop's validator on a real sandbox, with the static guards out of the way."""

    validator: CandidateValidator
    baseline: Baseline
    state: SearchState
    sandbox: Sandbox

    async def verdict(self, text: str) -> CandidateVerdict:
        return (await self.validator.validate_batch([(text, "probe")]))[0]


@pytest.fixture
async def runtime_checks() -> AsyncIterator:
    opened: list[tuple[Sandbox, WorkerPool, Transcript]] = []

    async def build(
        root: Path, target: str, kind: str, *, tests: tuple[str, ...] = ()
    ) -> RuntimeChecks:
        skip_docker_if_asked(kind)
        settings = settings_for(kind, timeout=20.0)
        request = FixRequest(path=Path(target), root=root, settings=settings, tests=tests)
        prepared = prepare(request)
        sandbox = await open_sandbox(kind, image=settings.docker_image)
        transcript = Transcript("probe")
        pool = WorkerPool(
            sandbox,
            prepared.root,
            Limits(wall_seconds=120, memory_mb=settings.memory),
            on_worker=lambda status, reason: transcript.write("worker", status=status),
            pristine=pristine_files(prepared.root, prepared.oracle.tests),
        )
        opened.append((sandbox, pool, transcript))
        budget = Budget(time.monotonic(), 120.0)
        runs = WarmRuns(sandbox, prepared, settings, budget, pool)
        verifier = Verifier(sandbox, prepared, settings)
        _, baseline = await reproduce(verifier, runs)
        assert baseline is not None, "the probe's original program must fail"
        state = SearchState(prepared.source)
        validator = CandidateValidator(
            prepared,
            baseline,
            runs,
            verifier,
            _LetEverythingRun(),
            state,
            transcript,  # type: ignore[arg-type]
        )
        return RuntimeChecks(validator, baseline, state, sandbox)

    yield build
    for sandbox, pool, transcript in opened:
        await pool.close()
        await sandbox.close()
        transcript.close()
