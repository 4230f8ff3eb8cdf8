"""Shared helpers for the language-server tests: requests, documents, and the server's processes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types
from proctree import waiting_spare
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


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, read from /proc (the sandboxed runs of a loop)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def running(pids: set[int]) -> set[int]:
    """The pids that still exist and are not zombies, except the shared sandbox's spares
    waiting for an order (see `proctree.waiting_spare`: they outlive every run by design)."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and not waiting_spare(command_line(pid)):
            alive.add(pid)
    return alive


def command_line(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline")
            .read_bytes()
            .replace(b"\0", b" ")
            .decode(errors="replace")
            .strip()
        )
    except OSError:
        return ""


async def watch_descendants(
    pid: int, ready: Callable[[], bool] = lambda: True, tries: int = 300
) -> set[int]:
    """Poll the processes below `pid` until there are some and `ready()` holds; return all seen."""
    seen: set[int] = set()
    for _ in range(tries):
        seen |= descendants(pid)
        if seen and ready():
            break
        await asyncio.sleep(0.02)
    return seen


async def survivors(pids: set[int]) -> dict[int, str]:
    """The processes among `pids` still running after a grace period, with their command lines."""
    for _ in range(100):
        if not running(pids):
            break
        await asyncio.sleep(0.05)
    return {pid: command_line(pid) for pid in running(pids)}
