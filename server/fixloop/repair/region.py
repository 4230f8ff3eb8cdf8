"""The part of a file an edit touches, parsed: whole files when small, else the statements around it.

Judging a candidate (its guards, its literals) by comparing syntax trees costs a parse per
candidate, which on a 50,000-line file is most of a second. A candidate usually changes a few
lines, so for a large file only the top-level statements around the change are parsed, on both
sides; they are what differs, and the rest of the file is the same on both sides.
"""

from __future__ import annotations

import ast

from fixloop import pyast
from fixloop.patch import changed_lines

LARGE_FILE_LINES = 2000


class EditRegion:
    """Parses the changed part of candidates of one original text."""

    def __init__(self, original: str) -> None:
        self.original = original
        self.lines = original.splitlines(keepends=True)
        try:
            self.tree: ast.Module | None = pyast.parse(original)
        except (SyntaxError, ValueError):
            self.tree = None

    def trees(self, candidate: str) -> tuple[ast.Module, ast.Module] | None:
        """(the original's part, the candidate's part), or None when the candidate's part (or
        the original) does not parse."""
        if self.tree is None:
            return None
        if len(self.lines) >= LARGE_FILE_LINES:
            parts = self._around_change(candidate)
            if parts is not None:
                return parts
        try:
            return self.tree, pyast.parse(candidate)
        except (SyntaxError, ValueError):
            return None

    def _around_change(self, candidate: str) -> tuple[ast.Module, ast.Module] | None:
        assert self.tree is not None
        span = changed_lines(self.original, candidate)
        if span is None:
            return None
        first, last = span
        covering = [
            node
            for node in self.tree.body
            if (node.end_lineno or node.lineno) >= first - 1 and node.lineno <= last + 1
        ]
        if not covering:
            return None
        start = min(node.lineno for node in covering)
        end = max(node.end_lineno or node.lineno for node in covering)
        new_lines = candidate.splitlines(keepends=True)
        delta = len(new_lines) - len(self.lines)
        try:
            old = pyast.parse("".join(self.lines[start - 1 : end]))
            new = pyast.parse("".join(new_lines[start - 1 : end + delta]))
        except (SyntaxError, ValueError):
            return None
        return old, new
