"""The repair corpora through the real loop: verified, correct or wrong, against a baseline.

`repair_case` runs `run_fix` on one case of `tests/corpus` or `tests/corpus-projects` with the
oracle the case names (its tests; its script run as the file itself; or, for a script that
drives a buggy module, the script as a command), then runs the case's hidden checks on a copy
with the verified fix applied: a verified fix that fails them is wrong. The committed baseline
file (`tests/corpus/bench-baseline.json`) lists the cases the offline engine fixes; `regressions`
names those that are no longer fixed. Shared by `fixloop bench repair` and its CI gate test.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from fixloop.bench.corpora import CORPUS, Case, Corpus, apply_edits
from fixloop.bench.hidden import run_hidden
from fixloop.fixes import FixRequest
from fixloop.loop import run_fix
from fixloop.settings import Settings

BASELINE_FILE = CORPUS / "bench-baseline.json"
HIDDEN_LIMIT = 90.0
FIXED_WITHIN = 0.5  # of the budget, for a case to count as fixed in the baseline


@dataclass(frozen=True)
class CaseRun:
    """What the loop did on one case, and what the hidden checks say of its fix."""

    case_id: str
    corpus: Corpus
    verified: bool
    correct: bool  # verified and passes the hidden checks
    intended: bool  # the fix equals the intended one (after normalising whitespace)
    seconds: float
    candidates: int
    summary: str  # the fix's summary, or why there is none
    hidden_output: str = ""  # the hidden checks' report when the fix is wrong
    uncertain: bool = False  # the loop said candidates that pass the same checks disagree

    @property
    def wrong(self) -> bool:
        return self.verified and not self.correct


def fix_request(case: Case, settings: Settings) -> FixRequest:
    """The request a user would make for this case."""
    if case.tests:
        return FixRequest(Path(case.target), case.root, settings, tests=case.tests)
    if case.script is None or case.script == case.target:
        return FixRequest(Path(case.target), case.root, settings)
    # A script that drives a buggy module: the script's run is the oracle, as a command.
    return FixRequest(Path(case.target), case.root, settings, command=f"python {case.script}")


def _normal(text: str) -> str:
    return "".join(text.split())


async def repair_case(case: Case, settings: Settings) -> CaseRun:
    """Run the loop on `case`, then the hidden checks on its verified fix."""
    started = time.monotonic()
    try:
        result = await run_fix(fix_request(case, settings))
    except Exception as exc:  # a broken case is a failed case, not a crashed benchmark
        return CaseRun(
            case.id,
            case.corpus,
            False,
            False,
            False,
            time.monotonic() - started,
            0,
            f"error: {exc}",
        )
    seconds = time.monotonic() - started
    unfixed = CaseRun(
        case.id, case.corpus, False, False, False, seconds, result.candidates_tried, ""
    )
    if not result.verified or result.fixed is None:
        return replace(unfixed, summary=result.reason or "")
    hidden = await asyncio.to_thread(run_hidden, case, result.fixed, HIDDEN_LIMIT)
    intended = apply_edits(case.source(), case.intended)
    return replace(
        unfixed,
        verified=True,
        correct=hidden.passed,
        intended=_normal(result.fixed) == _normal(intended),
        summary=result.summary,
        hidden_output="" if hidden.passed else hidden.output,
        uncertain=result.uncertain,
    )


def load_baseline(path: Path = BASELINE_FILE) -> frozenset[str]:
    """The ids of the cases the baseline marks as fixed (none when there is no file)."""
    if not path.is_file():
        return frozenset()
    data = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(str(case_id) for case_id in data.get("fixed", []))


def write_baseline(runs: Sequence[CaseRun], budget: float, path: Path = BASELINE_FILE) -> None:
    """Record which cases are fixed now: correct fixes (a wrong fix is not an achievement)
    found within half the budget (one found near the end of it would make the gate fail on a
    slower machine, not on a regression)."""
    fixed = sorted(
        run.case_id for run in runs if run.correct and run.seconds <= FIXED_WITHIN * budget
    )
    data = {
        "about": "cases `fixloop bench repair` fixes correctly with the offline engine within "
        "half the budget; the bench and its CI gate fail when one of them is no longer fixed",
        "budget_seconds": budget,
        "fixed": fixed,
        "not_fixed": sorted(run.case_id for run in runs if run.case_id not in fixed),
    }
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def regressions(runs: Iterable[CaseRun], fixed: frozenset[str]) -> list[str]:
    """Cases the baseline marks as fixed that this run did not verify."""
    return sorted(run.case_id for run in runs if run.case_id in fixed and not run.verified)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, int(round(fraction * (len(ordered) - 1)))))
    return ordered[index]


def corpus_summary(runs: Sequence[CaseRun]) -> str:
    """One corpus's figures: verified, correct, wrong, time to fix (median and p95)."""
    verified = [run for run in runs if run.verified]
    times = [run.seconds for run in verified]
    total = max(1, len(runs))
    line = (
        f"{len(verified)}/{len(runs)} verified ({100 * len(verified) / total:.0f}%), "
        f"{sum(run.correct for run in runs)} correct, {sum(run.wrong for run in runs)} wrong, "
        f"{sum(run.intended for run in runs)} equal the intended fix, "
        f"{sum(run.uncertain for run in runs)} uncertain"
    )
    if times:
        line += (
            f"; time to fix median {statistics.median(times):.2f}s, "
            f"p95 {percentile(times, 0.95):.2f}s"
        )
    return line
