"""Fresh oracle runs in a sandbox: the worker in a fresh process, and the pytest proof.

`worker_request` builds a typed request for the in-sandbox worker, `collect_request` the one that
opens its collected pytest session (with the same pytest arguments as the fresh runs), and
`worker_spec` the sandbox run that starts it (the self-contained program of
`fixloop.worker_program`). `observe_fresh_worker` serves one request in a fresh sandbox process
(the fallback when no warm worker answers). `run_pytest_fresh` is the proof: a fresh interpreter
runs pytest on the target as written to the sandbox's copy of the project, exactly as `python -m
pytest` would, and the outcomes come back from pytest's own hooks together with its exit
status, never from its text output; for the run of the original, a per-test cut reports a test
whose call runs longer as a timeout instead of letting it hold the whole run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from fixloop.observation import (
    Observation,
    TestOutcome,
    observation_from_answer,
    observation_from_run,
    outcomes_from_records,
    tampered_message,
    tampered_observation,
)
from fixloop.oracle import Oracle, pristine_files
from fixloop.sandbox.base import Limits, RunResult, RunSpec, Sandbox
from fixloop.sandbox_worker.protocol import (
    CollectRequest,
    PytestAnswer,
    ResultRecord,
    RunAnswer,
    RunnerName,
    RunRequest,
)
from fixloop.sandbox_worker.strict_eq import CHEAT_ERROR
from fixloop.worker_program import worker_program

# A failing test's captured output reaches the host through pytest's hooks (bounded, see
# `sandbox_worker.context`), never through the text report: reprinted there, a test that prints
# 50 MB would overflow the sandbox's output cap and the run would be lost.
PYTEST_ARGS = ("-q", "-p", "no:cacheprovider", "--no-header", "-rN", "--show-capture=no")
WORKER_ENV = {"PYTHONDONTWRITEBYTECODE": "1"}
# A repair loop pins the hash seed of every run, so that the order of sets and dicts of strings
# is a property of the candidate, not of the process that checked it: every warm worker (and
# the run of the original) uses the same seed, so which worker answers cannot change a verdict,
# and the proof runs under other seeds, so a candidate that passes only in one hash order (a
# set where a list kept the order) is not verified.
CHECK_HASH_SEED = "0"
PROOF_HASH_SEEDS = ("1", "2")


def worker_env(hash_seed: str | None = None) -> dict[str, str]:
    """The environment of a worker or pytest run; with `hash_seed`, hash order is pinned."""
    if hash_seed is None:
        return dict(WORKER_ENV)
    return {**WORKER_ENV, "PYTHONHASHSEED": hash_seed}


def worker_request(
    oracle: Oracle,
    *,
    overlay: Mapping[str, str] | None = None,
    timeout: float,
    coverage: bool = False,
    stop_on_fail: bool = False,
    order: Sequence[str] = (),
    isolate_hangs: bool = False,
    runner: RunnerName = "light",
    memory_mb: int | None = None,
    test_timeout: float | None = None,
    context: bool = False,
    footprint: bool = False,
) -> RunRequest:
    """A worker request; `timeout` kills the whole child, `test_timeout` interrupts one test;
    `context` asks failing records for their locals and printed output (for the model);
    `footprint` counts how often a script run runs each line of the target."""
    return {
        "kind": "script" if oracle.kind == "script" else "tests",
        "target": oracle.target,
        "tests": list(oracle.tests),
        "args": list(oracle.args),
        "overlay": dict(overlay or {}),
        "timeout": timeout,
        "test_timeout": test_timeout if test_timeout is not None else timeout,
        "coverage": coverage,
        "footprint": footprint,
        "stop_on_fail": stop_on_fail,
        "order": list(order),
        "isolate_hangs": isolate_hangs,
        "runner": runner,
        "memory_mb": memory_mb,
        "context": context,
    }


def collect_request(oracle: Oracle, text: str) -> CollectRequest:
    """Open the worker's pytest session for the oracle's tests, the target read as `text`."""
    return {
        "id": 0,
        "op": "collect",
        "args": [*PYTEST_ARGS, *oracle.tests],
        "target": oracle.target,
        "overlay": {oracle.target: text},
    }


def worker_spec(
    root: Path,
    limits: Limits,
    *,
    once: bool,
    stdin: bytes = b"",
    pristine: tuple[str, ...] = (),
    hash_seed: str | None = None,
) -> RunSpec:
    argv = ("-c", worker_program(), "--once") if once else ("-c", worker_program())
    return RunSpec(
        argv=argv,
        root=root,
        limits=limits,
        stdin=stdin,
        env=worker_env(hash_seed),
        pristine=pristine,
    )


def tampered_answer(request_id: int | None, files: Sequence[str], runner: RunnerName) -> RunAnswer:
    """The answer for a run during which the test files changed: a cheat, whatever it said."""
    record: ResultRecord = {
        "id": "<tests>",
        "outcome": "failed",
        "error": {"type": CHEAT_ERROR, "message": tampered_message(files), "frames": []},
    }
    return {
        "id": request_id,
        "results": [record],
        "runner": runner,
        "duration_ms": 0,
        "swap": "none",
        "fallback": "",
    }


def last_json_line(text: str) -> object:
    """The last line of `text` that parses as a JSON object, or None."""
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


async def observe_fresh_worker(
    sandbox: Sandbox,
    root: Path,
    request: RunRequest,
    limits: Limits,
    *,
    hash_seed: str | None = None,
) -> Observation:
    """Run one worker request in a fresh sandbox process (the fallback when no warm worker)."""
    payload = json.dumps(request).encode()
    pristine = pristine_files(root, request.get("tests", []))
    result = await sandbox.run(
        worker_spec(root, limits, once=True, stdin=payload, pristine=pristine, hash_seed=hash_seed)
    )
    if result.tampered:
        return tampered_observation(result.tampered, result.duration_ms)
    answer = last_json_line(result.stdout)
    if isinstance(answer, dict) and isinstance(answer.get("results"), list):
        run_answer: RunAnswer = answer  # type: ignore[assignment]
        return observation_from_answer(run_answer)
    name = "script" if request.get("kind") == "script" else "<worker>"
    return observation_from_run(result, name)


@dataclass(frozen=True)
class PytestRun:
    """A fresh pytest process: the sandbox's result, pytest's exit status and its outcomes.

    `answer` is None when the process died before it could answer (a timeout, a crash); then
    only `result` tells what happened. `report` is pytest's own text report, for people.
    """

    result: RunResult
    answer: PytestAnswer | None

    @property
    def exit_code(self) -> int | None:
        return self.answer["exit_code"] if self.answer is not None else self.result.exit_code

    @property
    def pytest_missing(self) -> bool:
        return self.answer is not None and self.answer["pytest_missing"]

    @property
    def outcomes(self) -> tuple[TestOutcome, ...]:
        return outcomes_from_records(self.answer["results"]) if self.answer is not None else ()

    @property
    def report(self) -> str:
        return self.result.stderr


async def run_pytest_fresh(
    sandbox: Sandbox,
    root: Path,
    tests: Sequence[str],
    overlay: Mapping[str, str],
    limits: Limits,
    *,
    test_cut: float | None = None,
    hash_seed: str | None = None,
) -> PytestRun:
    """pytest in a fresh sandbox process on the overlaid files, read through its hooks; with
    `test_cut`, a test whose call runs longer is interrupted and counts as a timeout."""
    cut = ("--cut", repr(float(test_cut))) if test_cut else ()
    argv = ("-c", worker_program(), *cut, "--pytest", *PYTEST_ARGS, *tests)
    spec = RunSpec(
        argv=argv,
        root=root,
        limits=limits,
        overlay=dict(overlay),
        env=worker_env(hash_seed),
        pristine=pristine_files(root, tests),
    )
    result = await sandbox.run(spec)
    answer = last_json_line(result.stdout)
    if not (isinstance(answer, dict) and isinstance(answer.get("exit_code"), int)):
        return PytestRun(result, None)
    if answer["exit_code"] != result.exit_code:
        # The process's own exit status disagrees with the answer: not pytest's answer.
        return PytestRun(result, None)
    pytest_answer: PytestAnswer = answer  # type: ignore[assignment]
    return PytestRun(result, pytest_answer)
