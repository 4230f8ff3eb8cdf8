"""End-to-end tests of `fixloop serve` that need no repair loop: settings, runFile, code actions."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from proctree import poll
from pytest_lsp import ClientServerConfig, LanguageClient

from .conftest import (
    BUGGY,
    server_command,
    server_env,
    start_session,
    structure_code_actions_faithfully,
)
from .helpers import code_actions, open_document, run_command, span


async def test_run_file_reports_the_deepest_frame(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "stats.py", BUGGY)
    result = await run_command(client, "fixloop.runFile", {"uri": uri})
    assert result["status"] == "error"
    assert result["error"]["type"] == "ZeroDivisionError"
    diagnostics = client.diagnostics[uri]
    assert len(diagnostics) == 1
    diagnostic = diagnostics[0]
    assert diagnostic.source == "fixloop"
    assert diagnostic.code == "ZeroDivisionError"
    assert diagnostic.message == "division by zero"
    # Line 2 ("    return sum(xs) / len(xs)"), from its first non-blank character to its end.
    assert diagnostic.range == span(1, 4, 1, len("    return sum(xs) / len(xs)"))
    related = diagnostic.related_information or []
    assert [r.location.range.start.line for r in related] == [4]
    assert related[0].message == "in <module>"

    cursor = types.Range(diagnostic.range.start, diagnostic.range.start)
    actions = await code_actions(client, uri, cursor, [diagnostic])
    titles = [a.title for a in actions]
    assert titles == ["Debug and fix: ZeroDivisionError"]
    action = actions[0]
    assert action.kind == types.CodeActionKind.QuickFix
    assert action.command.command == "fixloop.fix"
    assert action.command.arguments[0]["uri"] == uri
    assert action.command.arguments[0]["version"] == 1

    # An edit clears the diagnostics at once: they describe text that no longer exists.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(range=span(4, 0, 4, 0), text="# x\n")
            ],
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[uri]) == []


async def test_clean_run_clears_diagnostics(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "ok.py", "print('fine')\n")
    result = await run_command(client, "fixloop.runFile", {"uri": uri})
    assert result["ok"] is True and result["stdout"] == "fine\n"
    assert list(client.diagnostics[uri]) == []


async def test_unsaved_text_is_what_runs(client: LanguageClient, workspace: Path) -> None:
    path = workspace / "draft.py"
    uri = open_document(client, path, "print('on disk')\n")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangeWholeDocument(text="raise KeyError('unsaved')\n")
            ],
        )
    )
    result = await run_command(client, "fixloop.runFile", {"uri": uri})
    assert result["error"]["type"] == "KeyError"
    assert path.read_text() == "print('on disk')\n"  # the server never writes files


async def test_selection_actions_and_kind_filter(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "stats.py", BUGGY)
    selection = span(0, 0, 2, 0)
    actions = await code_actions(client, uri, selection, [])
    assert [(a.title, a.kind) for a in actions] == [
        ("Debug and fix selection", types.CodeActionKind.RefactorRewrite),
        ("Generate tests for selection", types.CodeActionKind.Refactor),
    ]
    assert actions[0].command.arguments[0]["range"] == {
        "start": {"line": 0, "character": 0},
        "end": {"line": 2, "character": 0},
    }
    assert await code_actions(client, uri, span(1, 3, 1, 3), []) == []
    only_quickfix = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=selection,
            context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.QuickFix]),
        )
    )
    assert list(only_quickfix or []) == []


async def test_model_commands_fail_clearly_without_a_model(
    client: LanguageClient, workspace: Path
) -> None:
    uri = open_document(client, workspace / "stats.py", BUGGY)
    result = await run_command(
        client,
        "fixloop.generateTests",
        {
            "uri": uri,
            "version": 1,
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}},
        },
    )
    assert result["ok"] is False and "model" in result["reason"]
    result = await run_command(
        client, "fixloop.task", {"text": "print the first 10 primes", "folder": str(workspace)}
    )
    assert result["ok"] is False and "model" in result["reason"]
    result = await run_command(client, "fixloop.transcript", {"uri": uri})
    assert result["ok"] is False and "transcript" in result["reason"]
    result = await run_command(client, "fixloop.runFile", {"uri": "file:///nowhere/open.py"})
    assert result == {
        "ok": False,
        "code": "bad-request",
        "reason": "file:///nowhere/open.py is not open",
    }
    result = await run_command(client, "fixloop.cancel", {})
    assert result == {"ok": True, "cancelled": 0}


async def test_invalid_settings_are_reported_and_replaced(workspace: Path) -> None:
    config = ClientServerConfig(server_command=server_command(), server_env=server_env())
    client = await config.start()
    structure_code_actions_faithfully(client)
    try:
        client.set_configuration({"sandbox": "local", "timeout": "soon"}, section="fixloop")
        await start_session(
            client, workspace, {"settings": {"engine": "quantum", "sandbox": "local"}}
        )
        await client.wait_for_notification(types.WINDOW_SHOW_MESSAGE)
        assert any("fixloop.engine" in m.message and "'auto'" in m.message for m in client.messages)
        # The pulled configuration (workspace/configuration) follows; its bad timeout is reported too.
        await poll(lambda: any("fixloop.timeout" in m.message for m in client.messages), 60)
        assert any("fixloop.timeout" in m.message and "10.0" in m.message for m in client.messages)
        # The server still works with the defaults in place of the bad values.
        uri = open_document(client, workspace / "ok.py", "print(1)\n")
        result = await run_command(client, "fixloop.runFile", {"uri": uri})
        assert result["ok"] is True
        await client.shutdown_session()
    finally:
        await client.stop()
