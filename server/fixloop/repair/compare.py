"""Plausible is not correct: run the leading candidates side by side on inputs the tests suggest.

Candidates that pass the same tests can still differ on inputs the tests do not check, and then
at most one of them is right. When more than one candidate passed, the original and up to
`MAX_LEADERS` leading candidates run in the sandbox on the inputs of
`fixloop.repair.probe_inputs` (the tests' calls into the target, their neighbours, the other
tests' values), each version in a fresh process (`fixloop.repair.probe_program`) with a limit
per call and per run:
- where the leaders give different results, the fix is uncertain: the result says so and shows
  each disagreement (the call, and what each candidate gave back);
- the leader that agrees with the original on the most inputs derived from tests that passed
  on the original, where the original returned normally, comes first within its tier (there
  the original is trusted; where it raised, the exception is likelier the bug); among those
  that agree as often, the one that keeps the original's result on more of all the inputs
  (the smaller change of behaviour beyond what the tests ask for), then the one that returns
  on more of the inputs where the original raised (the failure fixed in general, not only on
  the tests' inputs); ties keep the rank order.
An input on which two runs of the original differ (randomness, the clock) or a call times out
is left out: it tells nothing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fixloop.fixes import Disagreement, PreparedRequest
from fixloop.oracle_runs import last_json_line
from fixloop.repair.overfit import read_test_sources
from fixloop.repair.probe_inputs import ProbeCall, calls_in_tests, derived_inputs, target_functions
from fixloop.sandbox.base import Limits, RunSpec, Sandbox

MAX_LEADERS = 3
CALL_SECONDS = 1.0
RUN_SECONDS = 15.0
MAX_DISAGREEMENTS = 5
PROBE_ENV = {"PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}


@dataclass(frozen=True)
class Leader:
    text: str
    origin: str
    tier: int  # `EditShape.tier`: the comparison reorders within a tier, never across


@dataclass(frozen=True)
class Comparison:
    order: tuple[int, ...]  # indices into the leaders, best first
    agreement: tuple[
        int, ...
    ]  # per leader: trusted inputs on which it gives what the original gives
    disagreements: tuple[Disagreement, ...]
    inputs: int  # inputs that told something


def module_location(target: str) -> tuple[str, list[str]]:
    """(the module name tests import the target by, the folders to put on `sys.path`)."""
    parts = list(Path(target).with_suffix("").parts)
    paths = ["."]
    if len(parts) > 1 and parts[0] == "src":
        parts, paths = parts[1:], ["src", "."]
    if len(parts) > 1 and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts), paths


def _program() -> str:
    return resources.files("fixloop.repair").joinpath("probe_program.py").read_text("utf-8")


async def probe(
    sandbox: Sandbox, prepared: PreparedRequest, text: str, calls: Sequence[ProbeCall]
) -> list[str] | None:
    """What each call gives back with `text` as the target, or None when the run failed."""
    module, paths = module_location(prepared.oracle.target)
    request = {
        "module": module,
        "paths": paths,
        "seconds": CALL_SECONDS,
        "calls": [
            {"function": c.function, "args": list(c.args), "kwargs": [list(k) for k in c.kwargs]}
            for c in calls
        ],
    }
    result = await sandbox.run(
        RunSpec(
            argv=("-c", _program()),
            root=prepared.root,
            limits=Limits(wall_seconds=RUN_SECONDS),
            overlay={prepared.oracle.target: text},
            env=PROBE_ENV,
            stdin=json.dumps(request).encode(),
        )
    )
    answer = last_json_line(result.stdout)
    if not isinstance(answer, dict) or "import_error" in answer:
        return None
    results = answer.get("results")
    if not isinstance(results, list) or len(results) != len(calls):
        return None
    return [str(item) for item in results]


def passed_test_names(passed: frozenset[str], failed: frozenset[str]) -> frozenset[str]:
    """Test functions all of whose cases passed on the original (ids reduced to the name)."""

    def name(node_id: str) -> str:
        return node_id.split("::")[-1].split("[")[0]

    return frozenset(name(i) for i in passed) - {name(i) for i in failed}


async def compare_leaders(
    sandbox: Sandbox,
    prepared: PreparedRequest,
    leaders: Sequence[Leader],
    trusted_tests: frozenset[str],
) -> Comparison | None:
    """Run the original and the leaders on the derived inputs; None when there is nothing to
    compare (one leader, no tests, no call with literal arguments, a version that cannot run)."""
    leaders = list(leaders)[:MAX_LEADERS]
    if len(leaders) < 2 or prepared.oracle.kind != "tests":
        return None
    functions = target_functions(prepared.source)
    tests = read_test_sources(prepared.root, prepared.oracle.tests)
    calls = derived_inputs(calls_in_tests(tests, functions, trusted_tests))
    if not calls:
        return None
    runs = await asyncio.gather(
        probe(sandbox, prepared, prepared.source, calls),
        probe(sandbox, prepared, prepared.source, calls),
        *(probe(sandbox, prepared, leader.text, calls) for leader in leaders),
    )
    original, again, *results = runs
    if original is None or again is None or any(r is None for r in results):
        return None
    answers = [r for r in results if r is not None]
    agreement = [0] * len(leaders)
    kept = [0] * len(leaders)  # inputs anywhere on which it keeps the original's normal result
    escaped = [0] * len(leaders)  # inputs on which the original raised and it returns
    disagreements: list[Disagreement] = []
    told = 0
    for index, call in enumerate(calls):
        said = [answer[index] for answer in answers]
        if original[index] != again[index] or "timeout" in (original[index], *said):
            continue
        told += 1
        # Where the original raised, it is not trusted even on a passing test's neighbour: the
        # exception is likelier the bug than the intent (a candidate that still raises there
        # must not win by agreeing with it).
        if not original[index].startswith("!"):
            for k, value in enumerate(said):
                kept[k] += value == original[index]
                if call.from_passing:
                    agreement[k] += value == original[index]
        else:
            for k, value in enumerate(said):
                escaped[k] += not value.startswith("!")
        if len(set(said)) > 1 and len(disagreements) < MAX_DISAGREEMENTS:
            disagreements.append(
                Disagreement(
                    call.text(),
                    tuple(
                        (leader.origin, value) for leader, value in zip(leaders, said, strict=True)
                    ),
                    original[index],
                )
            )
    order = sorted(
        range(len(leaders)),
        key=lambda k: (leaders[k].tier, -agreement[k], -kept[k], -escaped[k], k),
    )
    return Comparison(tuple(order), tuple(agreement), tuple(disagreements), told)
