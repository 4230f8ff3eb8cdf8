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


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=server_command(), server_env=server_env())
)
async def client(lsp_client: LanguageClient, workspace: Path) -> AsyncIterator[None]:
    structure_code_actions_faithfully(lsp_client)
    lsp_client.set_configuration({"sandbox": SANDBOX, "engine": "offline"}, section="fixloop")
    await start_session(lsp_client, workspace)
    yield
    await lsp_client.shutdown_session()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(
                pytest.mark.filterwarnings("error::pytest_lsp.checks.LspSpecificationWarning")
            )
