"""Symptoms: the errors of every failing test, as the error-guided operators read them.

The loop's `Failure` holds the first error only; a suite often fails in several ways at once
(one test hits a `KeyError`, another a `ValueError` from `strptime`). A `Symptom` is one distinct
error: its type, its message, and where it surfaced in the target file (the innermost frame there,
plus every frame there, innermost first). The first failure comes first, then the other failing
outcomes of the baseline in their order, so the guided search stays deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

from fixloop.observation import Observation
from fixloop.repair.engine import Failure


@dataclass(frozen=True)
class Symptom:
    error_type: str
    message: str
    line: int | None  # the innermost frame in the target file
    lines: tuple[int, ...] = ()  # every frame in the target file, innermost first

    def mentions(self, *words: str) -> bool:
        return any(word in self.message for word in words)


def symptoms_of(failure: Failure, baseline: Observation | None, target: str) -> list[Symptom]:
    """Distinct errors of the failing run, the loop's first failure first."""
    found: dict[tuple[str, str, int | None], Symptom] = {}
    if failure.error_type:
        first = Symptom(failure.error_type, failure.error_message or "", failure.error_line)
        found[(first.error_type, first.message, first.line)] = first
    for outcome in baseline.outcomes if baseline is not None else ():
        error = outcome.error
        if outcome.outcome not in ("failed", "timeout") or error is None:
            continue
        lines = tuple(f.line for f in reversed(error.frames) if f.file == target)
        key = (error.type, error.message, lines[0] if lines else None)
        if not found.get(key, Symptom("", "", None)).lines:
            # New, or the first failure seen again: the outcome knows every frame it crossed.
            found[key] = Symptom(*key, lines)
    return list(found.values())
