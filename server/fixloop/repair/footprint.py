"""The script oracle's second condition: a fix keeps what the original run did before it failed.

With no tests, "runs without an exception" alone accepts a candidate that avoids the error by
skipping the work: a guard that leaves a loop at its first iteration, an early return before the
computation. Such a program exits 0 and prints a wrong result. So a candidate must also
- print what the original printed before it failed, as the start of its own output (only what
  two runs of the original agree on, up to a complete line, so output that changes from run to
  run, a time or an address, asks nothing), and
- keep running the lines that ran before the failure: a line that completed k times in the
  original (and that the candidate does not edit) must run at least ceil(k / 2) times. Half,
  because a correct fix of an off-by-one loop bound drops the one extra iteration (and, in a
  nested loop, the inner iterations inside it); a candidate that leaves at the first does not
  come close. Lines on the failing call stack did not complete, so they ask nothing.
Lines are matched between the original and the candidate around the edit (the common head and
tail of their lines); the counts come from the worker (`fixloop.sandbox_worker.footprint`),
and a run whose counting hit its budget is judged on its output alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from fixloop.observation import Observation, ScriptFootprint, TestOutcome
from fixloop.patch import kept_lines
from fixloop.spans import common_prefix_length

SHOWN_CHARS = 60


@dataclass(frozen=True)
class ScriptReference:
    """What a fix of a failing script must keep."""

    stdout: str  # printed before the failure, as far as the original's runs agree
    # (line of the original, times it completed); None when the run did not say (no counts,
    # or it ended by a bare non-zero exit, which names no failing line).
    completed: tuple[tuple[int, int], ...] | None
    counted_all: bool = False  # the counts cover the whole run (else they are lower bounds)

    def completed_lines(self) -> frozenset[int] | None:
        """Every line that completed at least once, when the counts say so for sure."""
        if self.completed is None or not self.counted_all:
            return None
        return frozenset(line for line, _ in self.completed)


def _single(observation: Observation) -> TestOutcome | None:
    outcomes = observation.outcomes
    return outcomes[0] if len(outcomes) == 1 and outcomes[0].id == "script" else None


def _agreed_output(first: str, second: str | None) -> str:
    """The complete lines both runs printed alike (all of `first` when there is no second)."""
    if second is None:
        return first
    shared = first[: common_prefix_length(first, second)]
    if shared == first == second:
        return shared
    return shared[: shared.rfind("\n") + 1]


def script_reference(fresh: Observation, warm: Observation, target: str) -> ScriptReference | None:
    """What the original's failing run did, or None when there is nothing to keep (it timed
    out, or it did not run as a script)."""
    outcome = _single(fresh)
    if outcome is None or outcome.outcome != "failed" or outcome.footprint is None:
        return None
    other = _single(warm) if warm is not fresh else None
    second = None
    if other is not None and other.outcome == "failed" and other.footprint is not None:
        second = other.footprint.stdout
    stdout = _agreed_output(outcome.footprint.stdout, second)
    completed: tuple[tuple[int, int], ...] | None = None
    # Only an exception says which lines did not complete; a bare non-zero exit does not.
    if outcome.error is not None and outcome.footprint.hits:
        on_stack = Counter(frame.line for frame in outcome.error.frames if frame.file == target)
        completed = tuple(
            (line, done)
            for line, count in outcome.footprint.hits
            if (done := count - on_stack[line]) > 0
        )
    return ScriptReference(stdout, completed, outcome.footprint.hits_complete)


def _first_difference(expected: str, got: str) -> str:
    at = common_prefix_length(expected, got)
    line = expected.count("\n", 0, at) + 1
    want = expected[at:].split("\n", 1)[0][:SHOWN_CHARS]
    seen = got[at:].split("\n", 1)[0][:SHOWN_CHARS]
    return f"line {line} of the output: expected {want!r}, got {seen!r}"


def skipped_work(
    reference: ScriptReference, original: str, candidate: str, observation: Observation
) -> str | None:
    """Why the candidate's run does not keep the original's work, or None when it does."""
    outcome = _single(observation)
    footprint: ScriptFootprint | None = outcome.footprint if outcome else None
    if footprint is None:
        return None  # nothing recorded (not a script run): nothing to compare
    if not footprint.stdout.startswith(reference.stdout):
        return (
            "skips work: it does not print what the original printed before it failed ("
            + _first_difference(reference.stdout, footprint.stdout)
            + ")"
        )
    if not footprint.hits_complete or reference.completed is None:
        return None
    mapping = kept_lines(original, candidate)
    counts = dict(footprint.hits)
    for line, done in reference.completed:
        moved = mapping.get(line)
        if moved is None:
            continue  # an edited line: the candidate decides what it does
        ran = counts.get(moved, 0)
        if ran < (done + 1) // 2:
            return (
                f"skips work: line {line} ran {done} times before the original failed, "
                f"but {ran} times with this candidate"
            )
    return None
