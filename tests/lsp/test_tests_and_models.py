"""fixloop.runTests, runOnSave, and the model-backed commands against a scripted model on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fixloop.lsp.edits import apply_text_edit
from llm.scripted_server import ScriptedServer
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from .conftest import SANDBOX, server_command, server_env, start_session
from .helpers import change, code_actions, open_document, run_command

PRICES = "def discount(price, percent):\n    return price + price * percent / 100\n"
FIXED_PRICES = PRICES.replace("+", "-")
PRICE_TESTS = (
    "from prices import discount\n\n\n"
    "def test_no_discount():\n    assert discount(100, 0) == 100\n\n\n"
    "def test_half_price():\n    assert discount(80, 50) == 40\n"
)
GENERATED = (
    "```python\nfrom prices import discount\n\n\n"
    "def test_no_discount():\n    assert discount(100, 0) == 100\n\n\n"
    "def test_half_price():\n    assert discount(80, 50) == 40\n```\n"
    "BUG: test_half_price: the percentage is divided by 10 instead of 100\n"
)
TASK_PROGRAM = "```python\nwith open('squares.txt', 'w') as f:\n    f.write(' '.join(str(i * i) for i in range(5)))\nprint('done')\n```\n"
CANARY = "sk-canary-lsp-5c2e9d"


async def test_run_tests_marks_the_failing_test_line(
    client: LanguageClient, workspace: Path
) -> None:
    (workspace / "test_prices.py").write_text(PRICE_TESTS)
    uri = open_document(client, workspace / "prices.py", PRICES)
    result = await run_command(client, "fixloop.runTests", {"uri": uri})
    assert (result["passed"], result["failed"]) == (1, 1), result
    (failure,) = result["failures"]
    assert failure["nodeid"].endswith("test_half_price")
    test_uri = (workspace / "test_prices.py").as_uri()
    # The failing assertion is line 9 of the test file (0-based 8).
    flagged = [d for uri_, ds in client.diagnostics.items() for d in ds if uri_ in (uri, test_uri)]
    assert flagged and all(d.code == "test-failure" for d in flagged)
    assert any(d.range.start.line == failure["line"] - 1 for d in flagged)
    # The module is marked where the failing assertion's call into it returns its value, and
    # that mark's action fixes the module against its tests.
    (mark,) = client.diagnostics[uri]
    assert mark.range.start.line == 1  # `return price + price * percent / 100`
    assert mark.message.startswith("test_half_price fails on the value returned here")
    cursor = types.Range(mark.range.start, mark.range.start)
    (debug,) = await code_actions(client, uri, cursor, [mark])
    assert debug.title == "Debug and fix: failing test"
    # In the test file the failing assertion offers to fix the code under test, never the test.
    (test_side,) = client.diagnostics[test_uri]
    open_document(client, workspace / "test_prices.py", PRICE_TESTS)
    at_test = types.Range(test_side.range.start, test_side.range.start)
    (under_test,) = await code_actions(client, test_uri, at_test, [test_side])
    assert under_test.title == "Debug and fix the code under test"
    assert under_test.command.arguments[0]["module"] == uri
    fixed = await run_command(client, "fixloop.fix", debug.command.arguments[0])
    assert fixed["verified"] is True, fixed
    assert fixed["proof"] == "1 failing -> 2/2 tests pass", fixed
    (apply,) = await code_actions(client, uri, cursor, [mark])
    new_text = apply_text_edit(PRICES, apply.edit.document_changes[0].edits[0])
    assert new_text == FIXED_PRICES
    # Applying it (as the editor would) and running the tests again clears every diagnostic.
    change(client, uri, 2, new_text)
    again = await run_command(client, "fixloop.runTests", {"uri": uri})
    assert (again["passed"], again["failed"]) == (2, 0), again
    assert all(list(client.diagnostics.get(u, [])) == [] for u in (uri, test_uri))


async def test_run_tests_with_the_configured_command(
    client: LanguageClient, workspace: Path
) -> None:
    (workspace / "check_prices.py").write_text(
        "from prices import discount\nassert discount(80, 50) == 40\n"
    )
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"fixloop": {"sandbox": SANDBOX, "testCommand": "python check_prices.py"}}
        )
    )
    uri = open_document(client, workspace / "prices.py", PRICES)
    result = await run_command(client, "fixloop.runTests", {"uri": uri})
    assert result["ok"] is False and result["failed"] >= 1, result
    change(client, uri, 2, FIXED_PRICES)
    again = await run_command(client, "fixloop.runTests", {"uri": uri})
    assert again["ok"] is True, again


async def test_run_on_save(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "saved.py", "import json\njson.loads('{')\n")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    # The server handles messages in order, and a save that starts a run registers it with the
    # document at once: a cancel sent right behind the save finds a run if the save began one.
    assert await run_command(client, "fixloop.cancel", {"uri": uri}) == {"ok": True, "cancelled": 0}
    assert uri not in client.diagnostics  # runOnSave is off by default
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"fixloop": {"runOnSave": True, "sandbox": SANDBOX}}
        )
    )
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    (diagnostic,) = client.diagnostics[uri]
    assert diagnostic.code == "json.decoder.JSONDecodeError" and diagnostic.range.start.line == 1


def file_exists(uri: str) -> bool:
    return os.path.exists(uri.removeprefix("file://"))


@pytest.fixture
async def model_session(workspace: Path) -> AsyncIterator[tuple[LanguageClient, ScriptedServer]]:
    """A server whose model is the scripted one (configured through its environment, as a user would)."""
    scripted = ScriptedServer().start()
    env = {
        **server_env(),
        "FIXLOOP_MODEL": "scripted-coder",
        "FIXLOOP_BASE_URL": scripted.base_url,
        "FIXLOOP_API_KEY": CANARY,
    }
    client = await ClientServerConfig(server_command=server_command(), server_env=env).start()
    try:
        client.set_configuration({"sandbox": SANDBOX}, section="fixloop")
        await start_session(client, workspace)
        yield client, scripted
        await client.shutdown_session()
    finally:
        await client.stop()
        scripted.stop()


async def test_generate_tests_returns_a_new_file_edit(
    model_session: tuple, workspace: Path
) -> None:
    model_client, scripted = model_session
    scripted.push(GENERATED)
    uri = open_document(model_client, workspace / "prices.py", PRICES)
    selection = {"start": {"line": 0, "character": 0}, "end": {"line": 2, "character": 0}}
    result = await run_command(
        model_client, "fixloop.generateTests", {"uri": uri, "version": 1, "range": selection}
    )
    assert result["ok"] is True, result
    assert "def test_half_price" in result["text"]
    assert result["bugsFound"] and "test_half_price" in result["bugsFound"][0]
    create, fill = result["edit"]["documentChanges"]
    assert create["kind"] == "create" and create["uri"] == result["uri"]
    assert fill["edits"][0]["newText"] == result["text"]
    assert not file_exists(result["uri"])  # the client creates it when the user accepts, not us
    assert scripted.requests and all(CANARY not in r.text() for r in scripted.requests)


async def test_task_returns_script_and_files_without_writing(
    model_session: tuple, workspace: Path
) -> None:
    model_client, scripted = model_session
    scripted.push(TASK_PROGRAM)
    result = await run_command(
        model_client,
        "fixloop.task",
        {"text": "write the first five squares to squares.txt", "folder": str(workspace)},
    )
    assert result["ok"] is True, result
    assert "squares.txt" in result["script"]
    assert {"name": "squares.txt", "size": 10, "text": "0 1 4 9 16"} in result["files"]
    assert os.listdir(workspace) == []  # produced files come back in the result, not on disk
