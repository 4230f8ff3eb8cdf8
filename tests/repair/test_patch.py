"""Pure text surgery: line replacement, diffs, minimal edit ranges (writes: tests/writes)."""

from __future__ import annotations

from fixloop.lsp.edits import minimal_text_edit
from fixloop.patch import (
    changed_lines,
    replace_lines,
    unified_diff,
)
from fixloop.spans import Edit, LineRange, dominant_line_ending


def test_replace_lines_keeps_crlf_and_other_lines() -> None:
    source = "a = 1\r\nb = 2\r\nc = 3\r\n"
    new = replace_lines(source, LineRange(2, 2), "b = 20\n")
    assert new == "a = 1\r\nb = 20\r\nc = 3\r\n"
    assert dominant_line_ending(new) == "\r\n"


def test_replace_lines_adds_missing_trailing_newline() -> None:
    assert replace_lines("x\ny\nz\n", LineRange(2, 2), "Y") == "x\nY\nz\n"


def test_unified_diff_headers_and_no_newline_marker() -> None:
    diff = unified_diff("a\nb", "a\nc", "pkg/mod.py")
    assert diff.startswith("--- a/pkg/mod.py\n+++ b/pkg/mod.py\n")
    assert "-b\n\\ No newline at end of file\n+c\n" in diff
    assert unified_diff("same", "same", "x.py") == ""


def test_minimal_text_edit_is_minimal() -> None:
    # patch.text_edit_range was dead code; the live minimal edit is the editor's, which builds
    # on the shared prefix/suffix scan of fixloop.spans.
    edit = minimal_text_edit("def f():\n    return a + b\n", "def f():\n    return a - b\n")
    assert edit is not None
    start, end = edit.range.start, edit.range.end
    assert (start.line, start.character, end.line, end.character) == (1, 13, 1, 14)
    assert edit.new_text == "-"
    assert minimal_text_edit("x", "x") is None


def test_edit_apply_and_changed_lines() -> None:
    source = "one\ntwo\nthree\n"
    new = Edit(4, 7, "TWO").apply(source)
    assert new == "one\nTWO\nthree\n"
    assert changed_lines(source, new) == (2, 2)
