"""Text surgery for candidate fixes: splice by source positions, replace line ranges, diff.

Everything here works on plain strings and keeps the user's formatting: a candidate is an edit on
character offsets of the original text (taken from `ast` node spans or from a line range), so
comments, quoting and spacing outside the edit survive byte for byte. Line endings are detected
once and restored when a candidate written with `\\n` is spliced into a CRLF file. The unified
diff uses `a/FILE` and `b/FILE` headers, and `text_edit_range` gives the smallest single
replacement that turns one text into another, which the language server converts to LSP ranges.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from fixloop.repair.engine import LineRange


@dataclass(frozen=True)
class Edit:
    """Replace `source[start:end]` with `text` (character offsets into the original)."""

    start: int
    end: int
    text: str

    def apply(self, source: str) -> str:
        text = self.text
        if "\n" in text:
            # Rules write inserted lines with "\n"; a CRLF file must stay CRLF throughout.
            ending = line_ending(source)
            if ending != "\n":
                text = text.replace("\r\n", "\n").replace("\n", ending)
        return source[: self.start] + text + source[self.end :]


@dataclass(frozen=True)
class TextEditRange:
    """The minimal single edit between two texts: 0-based (line, character) positions in `old`."""

    start_line: int
    start_character: int
    end_line: int
    end_character: int
    new_text: str


def line_ending(text: str) -> str:
    """The dominant line ending of `text` ("\\r\\n" or "\\n"); "\\n" when there is no newline."""
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    return "\r\n" if crlf > lf else "\n"


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
    ending = line_ending(source)
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
    prefix = 0
    while prefix < min(len(old_lines), len(new_lines)) and old_lines[prefix] == new_lines[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old_lines), len(new_lines)) - prefix
        and old_lines[-1 - suffix] == new_lines[-1 - suffix]
    ):
        suffix += 1
    first = prefix + 1
    last = len(old_lines) - suffix
    if last < first:  # insertion only
        return (max(1, first - 1), max(1, first - 1))
    return (first, last)


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


def text_edit_range(old: str, new: str) -> TextEditRange | None:
    """The smallest single replacement turning `old` into `new`, as line/character positions.

    Characters are Python code points; the language server converts them to UTF-16 units.
    Returns None when the texts are equal.
    """
    if old == new:
        return None
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    # Never split a CRLF pair: back up so the edit starts on the "\r".
    if 0 < prefix and old[prefix - 1] == "\r":
        prefix -= 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    old_end = len(old) - suffix
    new_end = len(new) - suffix
    start_line, start_char = _position(old, prefix)
    end_line, end_char = _position(old, old_end)
    return TextEditRange(start_line, start_char, end_line, end_char, new[prefix:new_end])


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    line_start = text.rfind("\n", 0, offset) + 1
    return line, offset - line_start


def read_source(path: Path) -> tuple[str, str]:
    """Read a Python file as (text, encoding), honouring a PEP 263 coding cookie; newlines kept."""
    import tokenize

    with open(path, "rb") as handle:
        encoding, _ = tokenize.detect_encoding(handle.readline)
    with open(path, encoding=encoding, newline="") as handle:
        return handle.read(), encoding
