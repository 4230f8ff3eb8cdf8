"""The repair loop through the language server: fix, progress, apply, cancel, stale edits, load."""

from __future__ import annotations

import asyncio
from pathlib import Path

from conftest import BUGGY, open_document
from lsprotocol import types
from pytest_lsp import LanguageClient
from test_session import code_actions, run_command, span

from fixloop.lsp.edits import apply_text_edit

# Each run sleeps, so a loop lasts long enough to be interrupted in the middle.
SLOW_BUGGY = "import time\n\n\ndef mean(xs):\n    time.sleep(0.4)\n    return sum(xs) / len(xs)\n\n\nprint(mean([]))\n"


def change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def test_run_debug_fix_apply_run_clean(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "stats.py"
    uri = open_document(client, path, BUGGY)
    # 1. runFile gives the diagnostic.
    await run_command(client, "fixloop.runFile", {"uri": uri})
    (diagnostic,) = client.diagnostics[uri]
    # 2. Code actions offer "Debug and fix".
    cursor = types.Range(diagnostic.range.start, diagnostic.range.start)
    (debug,) = await code_actions(client, uri, cursor, [diagnostic])
    assert debug.title == "Debug and fix: ZeroDivisionError"
    # 3. fixloop.fix (the action's own command and argument), with progress reported.
    result = await run_command(client, debug.command.command, debug.command.arguments[0])
    assert result["verified"] is True, result
    assert result["proof"].startswith("ZeroDivisionError ->"), result
    assert result["diff"].startswith("--- a/stats.py"), result["diff"]
    assert result["edit"]["documentChanges"][0]["textDocument"] == {"uri": uri, "version": 1}
    (token,) = client.progress_reports
    kinds = [type(report).__name__ for report in client.progress_reports[token]]
    assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
    assert "WorkDoneProgressReport" in kinds
    # 4. Code actions now offer the verified fix, preferred, carrying a versioned edit.
    actions = await code_actions(client, uri, cursor, [diagnostic])
    (apply,) = actions
    assert apply.title == f"Apply verified fix: {result['summary']} ({result['proof']})"
    assert apply.kind == types.CodeActionKind.QuickFix and apply.is_preferred is True
    (document_edit,) = apply.edit.document_changes
    assert document_edit.text_document.version == 1
    # 5. Apply it in the test client, as an editor would.
    fixed = BUGGY
    for edit in reversed(document_edit.edits):
        fixed = apply_text_edit(fixed, edit)
    assert fixed != BUGGY and "len(xs)" in fixed
    change(client, uri, 2, fixed)
    assert await code_actions(client, uri, cursor, []) == []  # the fix was for version 1
    # 6. Run again: clean, and the file on disk was never touched by the server.
    again = await run_command(client, "fixloop.runFile", {"uri": uri})
    assert again["ok"] is True, again
    assert list(client.diagnostics[uri]) == []
    assert path.read_text() == BUGGY
    transcript = await run_command(client, "fixloop.transcript", {"uri": uri})
    assert transcript["ok"] is True and transcript["entries"], transcript
    assert Path(transcript["path"]).resolve().is_relative_to(Path("/tmp/fixloop-lsp-tests").resolve())
