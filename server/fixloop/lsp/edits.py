"""Text positions and minimal edits, in the units the client negotiated (UTF-16 by default).

LSP counts a line break as `\\n`, `\\r\\n` or a lone `\\r` (unlike `str.splitlines`, which also
splits on form feeds and Unicode separators), and counts characters in UTF-16 code units unless
the client negotiated another position encoding. Every conversion here works on offsets into the
Python string and scans only the line it needs, so a 50 MB document or a million-character line
costs one pass at most. `minimal_text_edit` turns "old text, new text" (the loop returns the
whole fixed file) into the single smallest `TextEdit`, never splitting a `\\r\\n` pair and keeping
the document's line endings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lsprotocol import types

from fixloop.spans import (
    LineRange,
    common_prefix_length,
    common_suffix_length,
    dominant_line_ending,
)

UTF16 = "utf-16"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def column_units(text: str, encoding: str = UTF16) -> int:
    """Length of `text` in the client's position units."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    # Characters outside the Basic Multilingual Plane take two UTF-16 code units.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _line_start(text: str, offset: int) -> int:
    return max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1


def position_at(text: str, offset: int, encoding: str = UTF16) -> types.Position:
    """The LSP position of a string offset (which must not sit between `\\r` and `\\n`)."""
    line = text.count("\n", 0, offset) + text.count("\r", 0, offset) - text.count("\r\n", 0, offset)
    start = _line_start(text, offset)
    return types.Position(line=line, character=column_units(text[start:offset], encoding))


@dataclass(frozen=True)
class LineSpan:
    """Offsets of one line's content (without its line break) in a text."""

    start: int
    end: int


def line_span(text: str, line: int) -> LineSpan | None:
    """Where 0-based `line` lies in `text`, or None past the end."""
    start = 0
    if line > 0:
        for index, match in enumerate(_LINE_BREAK.finditer(text), start=1):
            if index == line:
                start = match.end()
                break
        else:
            return None
    found = _LINE_BREAK.search(text, start)
    return LineSpan(start, found.start() if found else len(text))


def line_content_range(text: str, line: int, encoding: str = UTF16) -> types.Range:
    """The range of 0-based `line` from its first non-blank character to its end."""
    span = line_span(text, line)
    if span is None:
        return types.Range(
            types.Position(line=line, character=0), types.Position(line=line, character=0)
        )
    content = text[span.start : span.end]
    indent = len(content) - len(content.lstrip())
    if indent == len(content):
        indent = 0
    return types.Range(
        start=types.Position(line=line, character=column_units(content[:indent], encoding)),
        end=types.Position(line=line, character=column_units(content, encoding)),
    )


def with_line_endings(new: str, like: str) -> str:
    """Give `new` the line endings of `like` when `like` uses CRLF and `new` came back with LF."""
    if dominant_line_ending(like) == "\r\n" and dominant_line_ending(new) == "\n":
        return new.replace("\r\n", "\n").replace("\n", "\r\n")
    return new


def minimal_text_edit(old: str, new: str, encoding: str = UTF16) -> types.TextEdit | None:
    """The single smallest edit turning `old` into `new` (line endings of `old` kept), or None."""
    new = with_line_endings(new, old)
    if old == new:
        return None
    prefix = common_prefix_length(old, new)
    # A position between "\r" and "\n" does not exist in LSP: start before the "\r".
    if 0 < prefix < len(old) and old[prefix - 1] == "\r" and old[prefix] == "\n":
        prefix -= 1
    suffix = common_suffix_length(old, new, min(len(old), len(new)) - prefix)
    end = len(old) - suffix
    if 0 < end < len(old) and old[end - 1] == "\r" and old[end] == "\n":
        suffix -= 1
        end += 1
    return types.TextEdit(
        range=types.Range(
            start=position_at(old, prefix, encoding), end=position_at(old, end, encoding)
        ),
        new_text=new[prefix : len(new) - suffix],
    )


def apply_text_edit(text: str, edit: types.TextEdit, encoding: str = UTF16) -> str:
    """Apply one edit to `text` (the inverse of `minimal_text_edit`; used by tests and checks)."""
    return (
        text[: offset_at(text, edit.range.start, encoding)]
        + edit.new_text
        + text[offset_at(text, edit.range.end, encoding) :]
    )


def offset_at(text: str, position: types.Position, encoding: str = UTF16) -> int:
    """The string offset of an LSP position; characters past the line's end clamp to it."""
    span = line_span(text, position.line)
    if span is None:
        return len(text)
    line_text = text[span.start : span.end]
    if encoding == "utf-32" or line_text.isascii():
        return span.start + min(position.character, len(line_text))
    units = 0
    for index in range(span.start, span.end):
        if units >= position.character:
            return index
        units += column_units(text[index], encoding)
    return span.end


def workspace_edit(
    uri: str, version: int | None, edit: types.TextEdit, *, document_changes: bool = True
) -> types.WorkspaceEdit:
    """A versioned `TextDocumentEdit` when the client supports it, else a plain `changes` map."""
    if document_changes:
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=identifier, edits=[edit])]
        )
    return types.WorkspaceEdit(changes={uri: [edit]})


def creation_edit(uri: str, text: str) -> types.WorkspaceEdit:
    """Create a new file `uri` holding `text` (fails on the client if the file already exists)."""
    return types.WorkspaceEdit(
        document_changes=[
            types.CreateFile(
                uri=uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=False)
            ),
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                edits=[
                    types.TextEdit(
                        range=types.Range(
                            types.Position(line=0, character=0), types.Position(line=0, character=0)
                        ),
                        new_text=text,
                    )
                ],
            ),
        ]
    )


def selection_lines(selection: types.Range) -> LineRange:
    """The 1-based lines a selection covers; a selection ending at column 0 excludes that line."""
    start = selection.start.line + 1
    end = selection.end.line + 1
    if selection.end.character == 0 and selection.end.line > selection.start.line:
        end -= 1
    return LineRange(start, max(start, end))
