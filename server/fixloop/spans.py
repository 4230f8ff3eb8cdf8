"""Value types for places in a source text: `LineRange`, `Edit`, and the text helpers they share.

This is a leaf module: it imports nothing of fixloop, so every layer (the repair core, the
patching code, the guards, the language server, the CLI) can use these values without an import
that points up. `dominant_line_ending` is the one place that decides whether a text is CRLF, and
`common_prefix_length` / `common_suffix_length` are the one prefix/suffix scan that every
minimal-diff routine (changed lines, guards, the editor's minimal text edit) builds on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

# Equal heads of long texts are compared in slices of this size: slices compare in C.
_CHUNK = 4096

Item = TypeVar("Item")


@dataclass(frozen=True)
class LineRange:
    """A 1-based, inclusive range of lines in the target file."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 1 or self.end < self.start:
            raise ValueError(f"invalid line range {self.start}-{self.end}")

    @classmethod
    def parse(cls, text: str) -> LineRange:
        """Parse "A-B" (or "A") as typed on a command line; ValueError says what is wrong."""
        first, _, last = text.partition("-")
        try:
            return cls(int(first), int(last or first))
        except ValueError:
            raise ValueError(f"--lines must look like A-B with 1 <= A <= B, got {text!r}") from None


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
            ending = dominant_line_ending(source)
            if ending != "\n":
                text = text.replace("\r\n", "\n").replace("\n", ending)
        return source[: self.start] + text + source[self.end :]


def dominant_line_ending(text: str) -> str:
    """The dominant line ending of `text` ("\\r\\n" or "\\n"); "\\n" when there is no newline."""
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    return "\r\n" if crlf > lf else "\n"


def common_prefix_length(a: Sequence[Item], b: Sequence[Item]) -> int:
    """How many leading items (characters or lines) `a` and `b` share."""
    limit = min(len(a), len(b))
    i = 0
    while i + _CHUNK <= limit and a[i : i + _CHUNK] == b[i : i + _CHUNK]:
        i += _CHUNK
    while i < limit and a[i] == b[i]:
        i += 1
    return i


def common_suffix_length(a: Sequence[Item], b: Sequence[Item], limit: int) -> int:
    """How many trailing items `a` and `b` share, at most `limit` (so it never overlaps a
    prefix already matched: pass `min(len(a), len(b)) - prefix`)."""
    i = 0
    while (
        i + _CHUNK <= limit
        and a[len(a) - i - _CHUNK : len(a) - i] == b[len(b) - i - _CHUNK : len(b) - i]
    ):
        i += _CHUNK
    while i < limit and a[len(a) - i - 1] == b[len(b) - i - 1]:
        i += 1
    return i
