"""Text surgery for candidate fixes: splice by source positions, replace line ranges, diff.

Everything here works on plain strings and keeps the user's formatting: a candidate is an edit on
character offsets of the original text (taken from `ast` node spans or from a line range), so
comments, quoting and spacing outside the edit survive byte for byte. Line endings are detected
once and restored when a candidate written with `\\n` is spliced into a CRLF file. The unified
diff uses `a/FILE` and `b/FILE` headers. The value types (`LineRange`, `Edit`) live in the leaf
module `fixloop.spans`.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from fixloop.spans import (
    LineRange,
    common_prefix_length,
    common_suffix_length,
    dominant_line_ending,
)


def line_offsets(text: str) -> list[int]:
    """Offset of the first character of each line (index 0 is line 1)."""
    offsets = [0]
    for index, char in enumerate(text):
        if char == "\n":
            offsets.append(index + 1)
    return offsets


def offset_of(offsets: list[int], line: int, column: int) -> int:
    """Character offset of 1-based `line` and 0-based character `column`."""
    return offsets[line - 1] + column


def line_count(text: str) -> int:
    return len(text.splitlines()) or 1


def lines_span(source: str, target: LineRange) -> tuple[int, int]:
    """Offsets covering whole lines `target.start..target.end`, including the last newline."""
    offsets = line_offsets(source)
    start = offsets[target.start - 1] if target.start - 1 < len(offsets) else len(source)
    end = offsets[target.end] if target.end < len(offsets) else len(source)
    return start, end


def range_text(source: str, target: LineRange) -> str:
    start, end = lines_span(source, target)
    return source[start:end]


def replace_lines(source: str, target: LineRange, new_text: str) -> str:
    """Replace whole lines of `source` with `new_text`, keeping the file's line ending."""
    start, end = lines_span(source, target)
    old = source[start:end]
    ending = dominant_line_ending(source)
    body = new_text.replace("\r\n", "\n")
    if ending != "\n":
        body = body.replace("\n", ending)
    # Keep the trailing newline the replaced block had, whether or not the candidate wrote one.
    if old.endswith(("\n", "\r")) and not body.endswith("\n") and body:
        body += ending
    if not old.endswith("\n") and body.endswith(ending) and end == len(source):
        body = body[: -len(ending)]
    return source[:start] + body + source[end:]


def changed_lines(old: str, new: str) -> tuple[int, int] | None:
    """1-based inclusive span of lines of `old` touched by the change (None if equal).

    A pure insertion between lines k and k+1 reports (k+1, k) shifted to (k, k) so that it counts
    as touching the line before it; callers only use it to test containment in a range.
    """
    if old == new:
        return None
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    prefix = common_prefix_length(old_lines, new_lines)
    suffix = common_suffix_length(
        old_lines, new_lines, min(len(old_lines), len(new_lines)) - prefix
    )
    first = prefix + 1
    last = len(old_lines) - suffix
    if last < first:  # insertion only
        return (max(1, first - 1), max(1, first - 1))
    return (first, last)


def kept_lines(old: str, new: str) -> dict[int, int]:
    """Lines of `old` (1-based) that `new` keeps unedited around its change, to their numbers
    in `new`: the common head and tail of their lines."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    head = common_prefix_length(old_lines, new_lines)
    tail = common_suffix_length(old_lines, new_lines, min(len(old_lines), len(new_lines)) - head)
    mapping = {line: line for line in range(1, head + 1)}
    shift = len(new_lines) - len(old_lines)
    for line in range(len(old_lines) - tail + 1, len(old_lines) + 1):
        mapping[line] = line + shift
    return mapping


def unified_diff(old: str, new: str, path: str) -> str:
    """A unified diff with `a/path` and `b/path` headers; "" when the texts are equal."""
    if old == new:
        return ""
    name = path.replace(os.sep, "/")
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{name}",
        tofile=f"b/{name}",
    )
    out = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def read_source(path: Path) -> tuple[str, str]:
    """Read a Python file as (text, encoding), honouring a PEP 263 coding cookie; newlines kept."""
    import tokenize

    with open(path, "rb") as handle:
        encoding, _ = tokenize.detect_encoding(handle.readline)
    with open(path, encoding=encoding, newline="") as handle:
        return handle.read(), encoding
