"""Fixtures for the language-server tests: a real `fixloop serve` over stdio, driven by pytest-lsp.

The client announces VS Code's capabilities and every LSP specification warning pytest-lsp
raises is an error. User code runs in the `local` sandbox by default (fast; bwrap when
FIXLOOP_LSP_SANDBOX=bwrap), and the server's state (transcripts) goes to a temporary directory.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Union

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SANDBOX = os.environ.get("FIXLOOP_LSP_SANDBOX", "local")
STATE_DIR = Path(os.environ.get("FIXLOOP_LSP_TEST_STATE", "/tmp/fixloop-lsp-tests"))

BUGGY = "def mean(xs):\n    return sum(xs) / len(xs)\n\n\nprint(mean([]))\n"


def server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_KEY", "_TOKEN", "_SECRET"))}
    env["FIXLOOP_STATE_DIR"] = str(STATE_DIR)
    return env


def server_command() -> list[str]:
    return [sys.executable, "-m", "fixloop", "serve"]


def init_options() -> dict[str, object]:
    return {"settings": {"sandbox": SANDBOX, "engine": "offline", "timeout": 10, "budget": 60}}


async def start_session(client: LanguageClient, root: Path, options: object | None = None) -> None:
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            initialization_options=init_options() if options is None else options,
        )
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return root


def structure_code_actions_faithfully(client: LanguageClient) -> None:
    """lsprotocol reads any code action with a `command` key as a bare Command, dropping its
    kind and edit; a Command's `command` is a string, a CodeAction's is an object."""
    converter = client.protocol._converter

    def structure(obj: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    converter.register_structure_hook(Union[types.Command, types.CodeAction], structure)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=server_command(), server_env=server_env()))
async def client(lsp_client: LanguageClient, workspace: Path) -> AsyncIterator[None]:
    structure_code_actions_faithfully(lsp_client)
    lsp_client.set_configuration({"sandbox": SANDBOX, "engine": "offline"}, section="fixloop")
    await start_session(lsp_client, workspace)
    yield
    await lsp_client.shutdown_session()


def open_document(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    path.write_text(text, newline="")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)
        )
    )
    return uri


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.filterwarnings("error::pytest_lsp.checks.LspSpecificationWarning"))


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
    """The pids that still exist and are not zombies."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""
