"""Unit tests of the pure LSP adapters: UTF-16 positions, minimal edits, settings, ranges."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixloop.lsp.config import parse_settings
from fixloop.lsp.diagnostics import DocumentPlace, run_diagnostics
from fixloop.lsp.edits import (
    apply_text_edit,
    line_content_range,
    minimal_text_edit,
    offset_at,
    position_at,
    selection_lines,
)
from fixloop.repair.source import function_range_at as enclosing_function
from fixloop.sandbox.base import ErrorInfo, Frame, RunResult, Status
from fixloop.spans import LineRange
from lsprotocol import types


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def test_positions_count_utf16_units_and_every_lsp_line_break() -> None:
    text = "a😀b\r\nx\ry\nz\u2028w"
    assert position_at(text, text.index("b")) == pos(0, 3)  # the emoji is two UTF-16 units
    assert position_at(text, text.index("x")) == pos(1, 0)
    assert position_at(text, text.index("y")) == pos(2, 0)  # a lone \r breaks a line
    assert position_at(text, text.index("w")) == pos(3, 2)  # U+2028 does not (unlike splitlines)
    assert position_at(text, text.index("b"), "utf-8") == pos(0, 5)
    assert position_at(text, text.index("b"), "utf-32") == pos(0, 2)
    for offset in (0, 3, 6, 8, len(text)):
        assert offset_at(text, position_at(text, offset)) == offset


@pytest.mark.parametrize(
    ("old", "new", "expected_range", "expected_text"),
    [
        ("a = 1\nb = 2\n", "a = 1\nb = 3\n", ((1, 4), (1, 5)), "3"),
        ("x😀 = 1 / 0\r\ny = 2\r\n", "x😀 = 1 / 1\r\ny = 2\r\n", ((0, 10), (0, 11)), "1"),
        # The loop may hand back LF text for a CRLF file: the edit keeps CRLF.
        ("def f():\r\n    pass\r\n", "def f():\n    return 1\n", ((1, 4), (1, 8)), "return 1"),
        # Inserting a line before a CRLF never splits the \r\n pair.
        ("a\r\nb\r\n", "a\r\nnew\r\nb\r\n", ((1, 0), (1, 0)), "new\r\n"),
        ("a\r\nb\r\n", "a\r\n\r\nb\r\n", ((1, 0), (1, 0)), "\r\n"),
    ],
)
def test_minimal_edit(old: str, new: str, expected_range: tuple, expected_text: str) -> None:
    edit = minimal_text_edit(old, new)
    assert edit is not None
    (sl, sc), (el, ec) = expected_range
    assert edit.range == types.Range(pos(sl, sc), pos(el, ec))
    assert edit.new_text == expected_text
    expected_result = new if "\r\n" not in old else new.replace("\r\n", "\n").replace("\n", "\r\n")
    assert apply_text_edit(old, edit) == expected_result


def test_minimal_edit_on_a_million_character_line_and_a_big_document() -> None:
    line = "x = '" + "😀" * 500_000 + "'\n"
    old = "# big\n" * 200_000 + line + "y = 1 / 0\n"
    new = old.replace("y = 1 / 0", "y = 1 / 1")
    edit = minimal_text_edit(old, new)
    assert edit is not None
    assert edit.range.start == pos(200_001, 8)
    assert apply_text_edit(old, edit) == new
    assert minimal_text_edit(old, old) is None
    assert line_content_range(old, 200_000).end == pos(200_000, 5 + 1_000_000 + 1)


def test_ranges() -> None:
    source = "import x\n\n@dec\ndef outer():\n    def inner():\n        return 1 / 0\n    return inner()\n"
    assert enclosing_function(source, 6) == LineRange(5, 6)
    assert enclosing_function(source, 7) == LineRange(3, 7)
    assert enclosing_function(source, 1) is None
    assert enclosing_function("def broken(:\n", 1) is None
    assert selection_lines(types.Range(pos(2, 4), pos(5, 0))) == LineRange(3, 5)
    assert selection_lines(types.Range(pos(2, 4), pos(2, 9))) == LineRange(3, 3)


def test_settings_wrappers_and_invalid_values() -> None:
    settings, problems = parse_settings({"settings": {"engine": "offline", "maxTurns": 3}})
    assert (settings.engine, settings.max_turns, problems) == ("offline", 3, [])
    settings, problems = parse_settings({"fixloop": {"timeout": -1, "runOnSave": True}})
    assert settings.timeout == 10.0 and settings.run_on_save is True
    # The bound is package.json's minimum (0.1 s), which the server enforces as declared.
    assert problems == ["fixloop.timeout: must be at least 0.1; using the default 10.0"]
    settings, problems = parse_settings(["not", "an", "object"])
    assert settings.engine == "auto" and problems
    assert parse_settings(None)[1] == []


def test_run_diagnostics_for_errors_limits_and_clean_runs(tmp_path: Path) -> None:
    text = "def f():\n    return g()\n\ndef g():\n\treturn 1 / 0\n\nf()\n"
    place = DocumentPlace(
        uri=(tmp_path / "m.py").as_uri(), text=text, relative_path="m.py", root=tmp_path
    )
    frames = (
        Frame("m.py", 7, "<module>"),
        Frame("m.py", 2, "f"),
        Frame("m.py", 5, "g"),
        Frame("/usr/lib/x.py", 3, "h"),
    )
    error = ErrorInfo("ZeroDivisionError", "division by zero", "/usr/lib/x.py", 3, frames)
    result = RunResult(Status.ERROR, 1, "", "", False, 5, "local", error=error)
    (diagnostic,) = run_diagnostics(result, place)
    assert diagnostic.range == types.Range(
        pos(4, 1), pos(4, 13)
    )  # deepest frame inside the document
    assert diagnostic.code == "ZeroDivisionError"
    assert [r.location.range.start.line for r in diagnostic.related_information or []] == [6, 1, 2]
    timeout = RunResult(Status.TIMEOUT, None, "", "", False, 5, "local", limit_hit="wall")
    (limit,) = run_diagnostics(timeout, place)
    assert limit.code == "timeout" and limit.severity == types.DiagnosticSeverity.Warning
    assert run_diagnostics(RunResult(Status.OK, 0, "", "", False, 5, "local"), place) == []
