"""Fault localisation: which lines of the target file most likely hold the bug.

Spectrum-based (Ochiai): a line scores `failed(s) / sqrt(total_failed * (failed(s) + passed(s)))`
from per-test line coverage. Lines named by traceback frames in the target file get a strong
prior (the innermost frame most), because the error surfaced there. Ties break by distance to
the innermost frame, then by line number, so the order is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from fixloop.observation import Observation

FRAME_PRIOR = 0.6


def rank_lines(
    baseline: Observation, target: str, allowed: Iterable[int]
) -> list[tuple[int, float]]:
    """Lines in `allowed`, most suspicious first, with their scores."""
    allowed_set = set(allowed)
    failing = [o for o in baseline.outcomes if o.failing]
    passing = [o for o in baseline.outcomes if o.outcome == "passed"]
    failed_count: dict[int, int] = {}
    passed_count: dict[int, int] = {}
    for outcome in failing:
        for line in outcome.lines:
            failed_count[line] = failed_count.get(line, 0) + 1
    for outcome in passing:
        for line in outcome.lines:
            passed_count[line] = passed_count.get(line, 0) + 1
    scores: dict[int, float] = {}
    total_failed = max(1, len(failing))
    for line, failed in failed_count.items():
        passed = passed_count.get(line, 0)
        scores[line] = failed / math.sqrt(total_failed * (failed + passed))
    innermost: int | None = None
    for outcome in failing:
        if outcome.error is None:
            continue
        frames = [f for f in outcome.error.frames if f.file == target]
        for depth, frame in enumerate(reversed(frames)):
            bonus = FRAME_PRIOR / (1 + depth)
            scores[frame.line] = scores.get(frame.line, 0.0) + bonus
            if depth == 0 and innermost is None:
                innermost = frame.line
    anchor = innermost or 0
    ranked = [(line, score) for line, score in scores.items() if line in allowed_set]
    ranked.sort(key=lambda item: (-round(item[1], 6), abs(item[0] - anchor), item[0]))
    return ranked
