"""The failure engines see when only a checker fails: the original passes its oracle (the
tests, or the run), and the checker the request names reports the diagnostic.

This is the usual case of an editor's mypy, ruff or pyright error: the code runs and the tests
pass, but the checker complains. There is no failing test to localise, so the diagnostic is the
failure: its tool and code stand for the error type, its message for the error's message, its
line for the failing line, and the edits go to the function around that line (or a few lines
around it at module level). The oracle's passing run stays the bar every candidate must keep.
"""

from __future__ import annotations

from fixloop.checker_oracle import CheckerOracle
from fixloop.observation import Observation
from fixloop.patch import line_count
from fixloop.repair.engine import Failure
from fixloop.repair.source import function_range_at
from fixloop.spans import LineRange

# Lines either side of a module-level diagnostic that a fix may edit.
MODULE_LEVEL_LINES = 3


def checker_label(oracle: CheckerOracle) -> str:
    """E.g. "mypy [return-value]": what the failure's type reads as."""
    code = oracle.required.code
    return f"{oracle.tool} [{code}]" if code else oracle.tool


def checker_failure(oracle: CheckerOracle, passing: Observation, *, tests: bool) -> Failure:
    """The `Failure` of an original that passes `passing` (its tests when `tests`, else its
    run) while `oracle` shows its diagnostic."""
    found = oracle.required
    code = f"[{found.code}] " if found.code else ""
    passed = len(passing.passed)
    what = f"the tests pass ({passed}/{passed})" if tests else "the run passes"
    summary = f"{oracle.tool} reports {code}at line {found.line}; {what}"
    output = f"{oracle.target}:{found.line}: {found.severity}: {found.message}"
    if found.code:
        output += f"  [{found.code}]"
    return Failure(
        summary=summary,
        output=output,
        error_type=checker_label(oracle),
        error_message=found.message,
        error_line=found.line,
        diagnostic=f"{checker_label(oracle)} at line {found.line}: {found.message}",
    )


def checker_target(source: str, line: int, explicit: LineRange | None) -> tuple[LineRange, bool]:
    """Where edits may go (and whether the range was inferred): the user's range, else the
    function around the diagnostic's line, else a few lines around it."""
    if explicit is not None:
        return explicit, False
    function = function_range_at(source, line)
    if function is not None:
        return function, True
    total = max(1, line_count(source))
    start = max(1, line - MODULE_LEVEL_LINES)
    return LineRange(start, min(total, max(start, line + MODULE_LEVEL_LINES))), True
