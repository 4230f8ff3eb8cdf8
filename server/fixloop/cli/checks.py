"""Checks of command-line input shared by the sub-commands: files, numbers, parsability.

Each check turns bad input into one line that says what is wrong, so that every sub-command
exits 2 with that line instead of a traceback or a silently ignored option. Numbers are checked
where argparse reads them (`seconds`, `mebibytes`, `count`): a value out of range is an error,
never quietly replaced by a default. `checker_target` reads `--checker TOOL[:CODE[:LINE]]`.
`check_source_file` is what `fixloop run` and `fixloop fix`
both ask before they touch a file, so they agree on what is not Python source.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from fixloop import pyast
from fixloop.checker_oracle import CHECKER_TOOLS, CheckerTarget

MIB = 1024 * 1024
MAX_SECONDS = 24 * 3600.0
MIN_MEMORY_MB = 16
MAX_MEMORY_MB = 1024 * 1024  # 1 TiB: anything larger is a typo, not a limit
MAX_COUNT = 10_000


def seconds(text: str) -> float:
    """An argparse type: a finite number of seconds above 0 and at most one day."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid float value: {text!r}") from None
    if not math.isfinite(value) or value <= 0 or value > MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"must be a number of seconds above 0 and at most {MAX_SECONDS:.0f} (one day), "
            f"got {text!r}"
        )
    return value


def mebibytes(text: str) -> int:
    """An argparse type: a memory limit in MiB, from 16 MiB to 1 TiB."""
    return _whole_number(text, MIN_MEMORY_MB, MAX_MEMORY_MB, "a whole number of MiB")


def count(text: str) -> int:
    """An argparse type: a positive whole number (model turns)."""
    return _whole_number(text, 1, MAX_COUNT, "a whole number")


def _whole_number(text: str, low: int, high: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"must be {what} from {low} to {high}, got {text!r}")
    return value


def check_source_file(path: Path, shown: str | None = None) -> str | None:
    """Why `path` is not a Python source file fixloop can work on, or None when it is.
    Messages name the file as `shown` (as the user typed it), else as `path`."""
    message = _source_problem(path)
    return None if message is None else message.replace(str(path), shown or str(path), 1)


def _source_problem(path: Path) -> str | None:
    if not path.exists():
        return f"{path}: no such file"
    if path.is_dir():
        return f"{path} is a directory; give a .py file"
    if not path.is_file():
        return f"{path} is not a regular file"
    if path.suffix not in (".py", ".pyw"):
        return f"{path} is not a Python file (expected a .py file)"
    try:
        head = path.read_bytes()[: 1 * MIB]
    except OSError as exc:
        return f"{path}: cannot read ({exc.strerror})"
    if b"\x00" in head:
        return f"{path} looks binary (contains NUL bytes), not Python source"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4 and not _declares_encoding(head):
            return f"{path} is not UTF-8 text, not Python source"
    return None


def _declares_encoding(head: bytes) -> bool:
    """A PEP 263 coding cookie in the first two lines (a latin-1 file is still source)."""
    import re

    lines = head.split(b"\n", 2)[:2]
    return any(re.match(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+", line) for line in lines)


def check_parses(source: str, shown: str) -> str | None:
    """Why Python's own parser cannot read `source` at all (as opposed to a syntax error,
    which is something to fix), or None. Nesting deep enough to exhaust the parser's stack or
    the recursion limit is not a bug fixloop can repair."""

    try:
        pyast.parse(source)
    except RecursionError:
        return f"{shown} is nested too deeply for Python's parser (recursion limit); not fixable"
    except MemoryError:
        return f"{shown} is too large or nested too deeply for Python's parser (out of memory)"
    except (SyntaxError, ValueError):
        return None  # broken syntax is a failure fixloop can work on
    return None


def checker_target(text: str) -> CheckerTarget:
    """An argparse type: `TOOL[:CODE[:LINE]]`, e.g. `mypy`, `mypy:arg-type`, `ruff:F821:12`,
    `py_compile::3` (an empty CODE matches any code)."""
    tool, _, rest = text.partition(":")
    code, _, line_text = rest.partition(":")
    if tool not in CHECKER_TOOLS:
        raise argparse.ArgumentTypeError(
            f"the checker must be one of {', '.join(CHECKER_TOOLS)}, optionally with :CODE and "
            f":LINE, got {text!r}"
        )
    line = None
    if line_text:
        if not line_text.isdigit() or int(line_text) < 1:
            raise argparse.ArgumentTypeError(f"the checker's LINE must be a line number: {text!r}")
        line = int(line_text)
    return CheckerTarget(tool, code.strip() or None, line)  # type: ignore[arg-type]
