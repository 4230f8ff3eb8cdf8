"""Choosing where edits may go when the user gave no `--lines`.

The target is the span of the functions the failure points at: the function holding the innermost
traceback frame in the file, plus the functions whose lines the failing tests executed. When the
failure points at no function (module-level code, a syntax error), the whole file is the target.
The second value returned says whether the range was inferred, which lets a rule add a
top-level import outside it.
"""

from __future__ import annotations

from fixloop.observation import Observation
from fixloop.patch import line_count
from fixloop.repair.source import SourceView
from fixloop.spans import LineRange

MAX_FAILING_FUNCTIONS = 6


def choose_target(
    source: str, baseline: Observation, target: str, explicit: LineRange | None
) -> tuple[LineRange, bool]:
    if explicit is not None:
        return explicit, False
    whole = LineRange(1, line_count(source))
    try:
        view = SourceView(source)
    except (SyntaxError, ValueError):
        return whole, True
    spans: list[tuple[int, int]] = []
    failing = [o for o in baseline.outcomes if o.failing]
    for outcome in failing:
        if outcome.error is None:
            continue
        frames = [f for f in outcome.error.frames if f.file == target]
        if frames:
            function = view.function_at(frames[-1].line)
            if function is not None:
                spans.append((function.start, function.end))
    covered: dict[tuple[int, int], int] = {}
    for outcome in failing:
        for line in outcome.lines:
            function = view.function_at(line)
            if function is not None:
                key = (function.start, function.end)
                covered[key] = covered.get(key, 0) + 1
    # Functions executed by many failing tests first; a handful is enough.
    for key, _ in sorted(covered.items(), key=lambda item: (-item[1], item[0]))[
        :MAX_FAILING_FUNCTIONS
    ]:
        spans.append(key)
    if not spans:
        return whole, True
    # Outermost functions only: a nested function is covered by its parent's span.
    start = min(s for s, _ in spans)
    end = max(e for _, e in spans)
    return LineRange(start, end), True
