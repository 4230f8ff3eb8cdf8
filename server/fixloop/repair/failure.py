"""The failure as engines see it: `failure_of` turns the baseline's observations into a `Failure`.

The warm run of the original (with coverage and the failure's context: printed output, the
target's locals) and the fresh pytest run (pytest's own assertion introspection, which the small
runner cannot give) each saw part of what a debugging human would look at; the failing tests
keep what both saw. The sample of failing tests is bounded and spread over the failing test
functions, so that 500 failing cases of one parametrized test leave room for the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from fixloop.observation import Observation, TestOutcome
from fixloop.repair.engine import Failure

# Failing outcomes a `Failure` keeps with their details (the prompt shows fewer).
MAX_FAILURE_TESTS = 50
SINGLE_RUNS = ("script", "command")


def test_function(node: str) -> str:
    """A test id without its parametrize suffix: the test function it belongs to."""
    return node.partition("[")[0]


def spread(outcomes: Sequence[TestOutcome], limit: int) -> list[TestOutcome]:
    """At most `limit` of `outcomes`, in their order, taken one case per test function in turn
    (every function's first case, then every function's second case, ...)."""
    case_of: list[int] = []
    cases: dict[str, int] = {}
    for outcome in outcomes:
        function = test_function(outcome.id)
        case_of.append(cases.get(function, 0))
        cases[function] = case_of[-1] + 1
    ranked = sorted(range(len(outcomes)), key=lambda index: (case_of[index], index))
    return [outcomes[index] for index in sorted(ranked[:limit])]


def _case_numbers(outcomes: Sequence[TestOutcome]) -> dict[str, int]:
    """Each outcome's place among the failing cases of its test function."""
    numbers: dict[str, int] = {}
    counts: dict[str, int] = {}
    for outcome in outcomes:
        function = test_function(outcome.id)
        numbers[outcome.id] = counts.get(function, 0)
        counts[function] = numbers[outcome.id] + 1
    return numbers


def _with_fresh_detail(
    sample: list[TestOutcome], failing: Sequence[TestOutcome], fresh: Observation
) -> list[TestOutcome]:
    """`sample` with each test's detail completed by the same test in `fresh`: the same id,
    else the same case of the same function (the small runner names cases by their index where
    pytest uses their ids)."""
    fresh_failing = [o for o in fresh.outcomes if o.failing]
    by_id = {o.id: o for o in fresh_failing}
    by_function: dict[str, list[TestOutcome]] = {}
    for candidate in fresh_failing:
        by_function.setdefault(test_function(candidate.id), []).append(candidate)
    case_number = _case_numbers(failing)
    merged = []
    for outcome in sample:
        other: TestOutcome | None = by_id.get(outcome.id)
        if other is None:
            cases = by_function.get(test_function(outcome.id), [])
            case = case_number.get(outcome.id, 0)
            other = cases[case] if case < len(cases) else None
        if other is None or other.detail is None:
            merged.append(outcome)
        elif outcome.detail is None:
            merged.append(replace(outcome, detail=other.detail))
        else:
            merged.append(replace(outcome, detail=outcome.detail.merged(other.detail)))
    return merged


def failure_of(observation: Observation, target: str, fresh: Observation | None = None) -> Failure:
    """The `Failure` of the original as `observation` saw it, with what `fresh` (the fresh run
    of the same original) adds to its failing tests."""
    failing = [o for o in observation.outcomes if o.failing]
    error = observation.first_error()
    error_line = None
    if error is not None:
        for frame in reversed(error.frames):
            if frame.file == target:
                error_line = frame.line
                break
    sample = spread(failing, MAX_FAILURE_TESTS)
    if fresh is not None and fresh is not observation:
        sample = _with_fresh_detail(sample, failing, fresh)
    return Failure(
        summary=observation.summary(),
        output=observation.report_text(),
        error_type=error.type if error else None,
        error_message=error.message if error else None,
        error_line=error_line,
        failing_tests=tuple(o.id for o in failing if o.id not in SINGLE_RUNS),
        tests=tuple(sample),
    )
