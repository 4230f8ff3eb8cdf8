"""The repair loop through the language server: fix, progress, apply, cancel, stale edits, load."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fixloop.lsp.edits import apply_text_edit
from lsprotocol import types
from proctree import descendants
from pytest_lsp import LanguageClient

from .conftest import BUGGY, STATE_DIR
from .helpers import (
    change,
    code_actions,
    open_document,
    run_command,
    survivors,
    watch_descendants,
)

# Each run sleeps, so a loop lasts long enough to be interrupted in the middle.
SLOW_BUGGY = "import time\n\n\ndef mean(xs):\n    time.sleep(1.0)\n    return sum(xs) / len(xs)\n\n\nprint(mean([]))\n"


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
    # The title names the evidence as the CLI does: a script run, no tests.
    assert result["evidence"] == "runs without error (no tests)" and result["uncertain"] is False
    assert apply.title == f"Apply verified fix: {result['summary']} ({result['evidence']})"
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
    assert transcript["path"].startswith(f"{STATE_DIR}/")  # never inside the user's workspace


async def start_slow_fix(
    client: LanguageClient, workspace: Path
) -> tuple[str, asyncio.Future, set[int]]:
    """Open a slow buggy file, start fixloop.fix and wait until the loop is running user code."""
    uri = open_document(client, workspace / "slow.py", SLOW_BUGGY)
    request = asyncio.ensure_future(run_command(client, "fixloop.fix", {"uri": uri, "version": 1}))
    seen = await watch_descendants(client._server.pid, lambda: bool(client.progress_reports))
    assert client.progress_reports, "the loop never reported progress"
    assert seen, "the loop never started a sandboxed process"
    assert not request.done()
    return uri, request, seen


def progress_ended(client: LanguageClient) -> bool:
    (token,) = client.progress_reports
    return type(client.progress_reports[token][-1]).__name__ == "WorkDoneProgressEnd"


async def test_cancel_command_stops_the_loop_and_its_processes(
    client: LanguageClient, workspace: Path
) -> None:
    uri, request, seen = await start_slow_fix(client, workspace)
    cancelled = await run_command(client, "fixloop.cancel", {"uri": uri})
    assert cancelled == {"ok": True, "cancelled": 1}
    result = await request
    assert result["ok"] is False and result["verified"] is False
    assert result["reason"] == "cancelled by the user"
    assert progress_ended(client)
    left = await survivors(seen | descendants(client._server.pid))
    assert left == {}, "\n".join(left.values())
    assert (
        await code_actions(
            client,
            uri,
            types.Range(types.Position(line=0, character=0), types.Position(line=0, character=0)),
            [],
        )
        == []
    )


async def test_progress_cancel_button_stops_the_loop(
    client: LanguageClient, workspace: Path
) -> None:
    uri, request, seen = await start_slow_fix(client, workspace)
    (token,) = client.progress_reports
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    result = await request
    assert result["reason"] == "cancelled by the user"
    assert progress_ended(client)
    assert await survivors(seen) == {}


async def test_cancel_request_stops_the_loop(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "slow.py", SLOW_BUGGY)
    params = types.ExecuteCommandParams(
        command="fixloop.fix", arguments=[{"uri": uri, "version": 1}]
    )
    # A coroutine: it sends nothing until it runs, so it runs now, before the wait below.
    request = asyncio.ensure_future(
        client.protocol.send_request_async(types.WORKSPACE_EXECUTE_COMMAND, params, msg_id="fix-1")
    )
    seen = await watch_descendants(client._server.pid)
    assert seen, "the loop never started a sandboxed process"
    client.cancel_request(types.CancelParams(id="fix-1"))
    try:
        await request
        raise AssertionError("the cancelled request returned a result")
    except Exception as exc:  # pygls turns the RequestCancelled error response into an exception
        assert "cancel" in str(exc).lower(), exc
    assert await survivors(seen) == {}


async def test_edit_during_the_loop_drops_its_result(
    client: LanguageClient, workspace: Path
) -> None:
    uri, request, _ = await start_slow_fix(client, workspace)
    change(client, uri, 2, SLOW_BUGGY.replace("time.sleep(1.0)", "time.sleep(1.1)"))
    result = await request
    assert result["verified"] is False and result["stale"] is True and result["edit"] is None
    cursor = types.Range(types.Position(line=5, character=4), types.Position(line=5, character=4))
    assert await code_actions(client, uri, cursor, []) == []


async def test_hundred_requests_during_a_loop_are_all_answered(
    client: LanguageClient, workspace: Path
) -> None:
    uri, request, _ = await start_slow_fix(client, workspace)
    selection = types.Range(
        types.Position(line=3, character=0), types.Position(line=6, character=0)
    )
    answers = await asyncio.gather(
        *[code_actions(client, uri, selection, []) for _ in range(90)],
        *[run_command(client, "fixloop.transcript", {"uri": uri}) for _ in range(10)],
    )
    assert not request.done()  # all hundred were answered while the loop was still running
    assert all(len(a) == 2 for a in answers[:90])
    assert all(isinstance(a, dict) for a in answers[90:])
    # Then the loop is still cancellable as usual.
    assert (await run_command(client, "fixloop.cancel", {"uri": uri}))["cancelled"] == 1
    assert (await request)["reason"] == "cancelled by the user"


async def test_nothing_to_fix_and_stale_request(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "clean.py", "print(sum([1, 2]))\n")
    result = await run_command(client, "fixloop.fix", {"uri": uri, "version": 1})
    assert (
        result["ok"] is True and result["verified"] is False and result["nothingToFix"] is True
    ), result
    assert result["edit"] is None and "nothing to fix" in result["reason"]
    # A request for a version the document has moved past is refused before any work starts.
    change(client, uri, 2, "print(1 / 0)\n")
    stale = await run_command(client, "fixloop.fix", {"uri": uri, "version": 1})
    assert stale["stale"] is True and stale["verified"] is False
