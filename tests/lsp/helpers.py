"""Shared helpers for the language-server tests: requests, documents, and the server's processes.

The server's processes are read through `proctree`: only the descendants of the server the test
started, never every process on the machine, and waits poll a state with a deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lsprotocol import types
from proctree import Proc, alive, descendants, describe, poll, waiting_spare
from pytest_lsp import LanguageClient


def open_document(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    path.write_text(text, newline="")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=text
            )
        )
    )
    return uri


async def run_command(client: LanguageClient, name: str, argument: dict) -> dict:
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=name, arguments=[argument])
    )
    assert isinstance(result, dict), result
    return result


async def code_actions(
    client: LanguageClient, uri: str, where: types.Range, diagnostics: list
) -> list:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=where,
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    return list(result or [])


def span(line: int, start: int, end_line: int, end: int) -> types.Range:
    return types.Range(
        types.Position(line=line, character=start), types.Position(line=end_line, character=end)
    )


def change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def watch_descendants(
    pid: int, ready: Callable[[], bool] = lambda: True, deadline_seconds: float = 120.0
) -> set[int]:
    """Poll the processes below `pid` until there are some and `ready()` holds; return all seen.

    Only `pid`'s own descendants are read (`proctree`), and the wait ends on that state: the
    deadline is there only so that a state that never comes fails the test instead of hanging it.
    """
    seen: set[int] = set()

    def reached() -> bool:
        # A shared sandbox's spares wait below the server between runs: not a run's processes.
        seen.update(p for p in descendants(pid) if not _waiting(p))
        return bool(seen) and ready()

    await poll(reached, deadline_seconds)
    return seen


async def survivors(pids: set[int], deadline_seconds: float = 60.0) -> dict[int, str]:
    """The processes among `pids` still running (zombies aside) once they had time to go."""

    def running() -> list[Proc]:
        return [proc for proc in alive(pids) if not waiting_spare(proc)]

    await poll(lambda: not running(), deadline_seconds)
    return {proc.pid: proc.command for proc in running()}


def _waiting(pid: int) -> bool:
    proc = describe(pid)
    return proc is not None and waiting_spare(proc)
