"""After the engines: compare the leading candidates and settle which one the loop returns.

The search ranks what passed by the shape of each edit (`SearchState.leaders`). When more than
one candidate passed, `settle` runs the leaders side by side on inputs derived from the tests
(`fixloop.repair.compare`): the one that agrees best with the original where the original is
trusted comes first within its tier, and if it was only a runner-up (it passed its warm check
but was not proven, as it ranked lower when found) it is proven now; if its proof fails, the
next one in the comparison's order is taken. Where the leaders disagree, the result is uncertain.
The comparison is bounded in time, as a safety stop: when that bound decides (the winner stays
the best by rank), `SearchState.safety_stop` says so and the loop reports it.
"""

from __future__ import annotations

import asyncio

from fixloop.checker_oracle import CheckerOracle
from fixloop.fixes import PreparedRequest
from fixloop.observation import Observation
from fixloop.repair.checker_failure import checker_label
from fixloop.repair.compare import (
    MAX_LEADERS,
    Comparison,
    Leader,
    compare_leaders,
    passed_test_names,
)
from fixloop.repair.search import PassingCandidate, RunnerUp, SearchState
from fixloop.repair.validate import CandidateValidator
from fixloop.sandbox.base import Sandbox
from fixloop.transcript import Transcript

# Above every shape tier (`EditShape.tier`): a candidate that changes a check.
CHANGES_CHECK_TIER = 100
# However little of the budget is left, the comparison may take this long.
MIN_COMPARE_SECONDS = 10.0


async def settle(
    state: SearchState,
    validator: CandidateValidator,
    sandbox: Sandbox,
    prepared: PreparedRequest,
    original: Observation,
    transcript: Transcript,
    seconds: float,
) -> Comparison | None:
    """Compare the leading candidates and choose the winner; None when there was nothing to
    compare (or no time), so the best by rank stays the winner."""
    if state.winner is None:
        return None
    leaders = state.leaders()[:MAX_LEADERS]
    trusted = passed_test_names(original.passed, original.failed)
    try:
        comparison = await asyncio.wait_for(
            compare_leaders(
                sandbox,
                prepared,
                [Leader(c.text, c.origin, _tier(c)) for c in leaders],
                trusted,
            ),
            max(MIN_COMPARE_SECONDS, seconds),
        )
    except asyncio.TimeoutError:
        transcript.write("comparison", skipped="out of time")
        state.safety_stop = "the comparison of the leading candidates ran out of time"
        return None
    if comparison is None:
        return None
    transcript.write(
        "comparison",
        leaders=[c.origin for c in leaders],
        inputs=comparison.inputs,
        agreement=list(comparison.agreement),
        order=list(comparison.order),
        disagreements=[
            {"call": d.call, "results": dict(d.results), "original": d.original}
            for d in comparison.disagreements
        ],
    )
    for index in comparison.order:
        leader = leaders[index]
        if isinstance(leader, PassingCandidate):
            state.choose(leader.text)
            break
        if await validator.prove_runner_up(
            leader.text, leader.origin, leader.shape, leader.changes_check, leader.found
        ):
            state.choose(leader.text)
            break
    return comparison


def _tier(candidate: PassingCandidate | RunnerUp) -> int:
    """The comparison reorders within a tier only: a candidate that changes one of the
    program's checks stays after every one that does not, whatever the inputs show."""
    return candidate.shape.tier + (CHANGES_CHECK_TIER if candidate.changes_check else 0)


def no_fix_reason(
    tried: int, budget: float, remaining: float, checker: CheckerOracle | None, oracle: str
) -> str:
    """Why no fix came: out of time or out of candidates; led by a checker, which diagnostic
    no candidate cleared while `oracle` kept passing."""
    spent = remaining <= 0
    if checker is not None:
        return (
            f"no candidate cleared {checker_label(checker)} at line {checker.required.line} "
            f"while {oracle} kept passing ({tried} candidates tried"
            + (f" within the budget of {budget:g}s)" if spent else ")")
        )
    if spent:
        return f"no verified fix within the budget of {budget:g}s ({tried} candidates tried)"
    return f"no candidate passed the oracle ({tried} candidates tried)"
