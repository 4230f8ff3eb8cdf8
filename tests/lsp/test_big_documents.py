"""Huge and awkward documents: 50 MB, a million-character line, emoji and CRLF, through the server."""

from __future__ import annotations

import time
from pathlib import Path

from fixloop.lsp.edits import apply_text_edit
from lsprotocol import types
from pytest_lsp import LanguageClient

from .helpers import change, code_actions, open_document, run_command


async def test_fifty_megabytes_with_a_million_character_line(
    client: LanguageClient, workspace: Path
) -> None:
    padding = "# padding 😀 " + "x" * 80 + "\r\n"
    long_line = "LONG = '" + "😀" * 1_000_000 + "'\r\n"
    tail = "def f(xs):\r\n    return xs[0]  # 😀😀\r\n\r\n\r\nf([])\r\n"
    text = padding * (50_000_000 // len(padding.encode())) + long_line + tail
    assert len(text.encode()) > 50_000_000
    path = workspace / "huge.py"
    uri = open_document(client, path, text)
    result = await run_command(client, "fixloop.runFile", {"uri": uri})
    assert result["error"]["type"] == "IndexError", result
    (diagnostic,) = client.diagnostics[uri]
    error_line = text.count("\n") - 4  # 0-based line of "    return xs[0]"
    assert diagnostic.range.start == types.Position(line=error_line, character=4)
    # UTF-16: each emoji is two code units.
    assert diagnostic.range.end == types.Position(
        line=error_line, character=len("    return xs[0]  # ") + 4
    )
    cursor = types.Range(diagnostic.range.start, diagnostic.range.start)
    started = time.perf_counter()
    for _ in range(20):
        actions = await code_actions(client, uri, cursor, [diagnostic])
    per_request_ms = (time.perf_counter() - started) * 1000 / 20
    print(
        f"code actions on a {len(text.encode()) / 1e6:.0f} MB document: {per_request_ms:.2f} ms per request"
    )
    assert [a.title for a in actions] == ["Debug and fix: IndexError"]


async def test_fix_keeps_crlf_and_counts_emoji(client: LanguageClient, workspace: Path) -> None:
    text = "# 😀 stats, CRLF\r\ndef mean(xs):  # 😀\r\n    return sum(xs) / len(xs)\r\n\r\n\r\nprint(mean([]))\r\n"
    uri = open_document(client, workspace / "crlf.py", text)
    await run_command(client, "fixloop.runFile", {"uri": uri})
    (diagnostic,) = client.diagnostics[uri]
    (debug,) = await code_actions(
        client, uri, types.Range(diagnostic.range.start, diagnostic.range.start), [diagnostic]
    )
    result = await run_command(client, "fixloop.fix", debug.command.arguments[0])
    assert result["verified"] is True, result
    (apply,) = await code_actions(
        client, uri, types.Range(diagnostic.range.start, diagnostic.range.start), [diagnostic]
    )
    (document_edit,) = apply.edit.document_changes
    fixed = text
    for edit in reversed(document_edit.edits):
        fixed = apply_text_edit(fixed, edit)
    # Every line ending, old or added by the fix, stays CRLF.
    assert fixed.count("\r\n") >= text.count("\r\n") and "\n" not in fixed.replace("\r\n", "")
    assert fixed.startswith("# 😀 stats, CRLF\r\ndef mean(xs):  # 😀\r\n")
    change(client, uri, 2, fixed)
    again = await run_command(client, "fixloop.runFile", {"uri": uri})
    assert again["ok"] is True, again


async def test_incremental_edits_below_form_feeds_and_unicode_separators(
    client: LanguageClient, workspace: Path
) -> None:
    folder = workspace / "dir with spaces"
    folder.mkdir()
    # str.splitlines breaks at \x0c and U+2028; LSP does not. Edits below them must land right.
    text = "a = 1\n\x0c\nb = 'x\u2028y'\nc = 3 / 1\nprint(c)\n"
    uri = open_document(client, folder / "page breaks.py", text)
    assert "%20" in uri
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        types.Position(line=3, character=8), types.Position(line=3, character=9)
                    ),
                    text="0",
                )
            ],
        )
    )
    result = await run_command(client, "fixloop.runFile", {"uri": uri})
    # Had the edit landed a line too high, the file would still print 3.0 (or be a syntax error).
    assert result["error"] == {
        "type": "ZeroDivisionError",
        "message": "division by zero",
        "line": 4,
    }, result
    (diagnostic,) = client.diagnostics[uri]
    assert diagnostic.range.start.line == 3
