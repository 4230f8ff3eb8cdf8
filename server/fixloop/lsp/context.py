"""What a command handler may use of the server, and the document it works on.

`ServerContext` is the protocol the handlers in `features`, `runs`, `fixing`, `models`,
`transcripts` and `actions` are written against; `server.FixloopServer` satisfies it. Typing the
handlers against this protocol, not the server class, keeps imports pointing one way:
`server` wires the handlers and nothing here imports `server`. `Target` is a document frozen at
the version a command saw; `run_tracked` runs a piece of work that a change to its document
cancels.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from lsprotocol import types

from fixloop.lsp.diagnostics import DocumentPlace
from fixloop.lsp.documents import DocumentStates, document_root
from fixloop.lsp.errors import CommandError, ErrorCode
from fixloop.lsp.queue import WorkQueue
from fixloop.settings import Settings

T = TypeVar("T")
MAX_OUTPUT_CHARS = 20_000


class ServerContext(Protocol):
    """The parts of the language server that command handlers use."""

    settings: Settings
    documents: DocumentStates
    work_queue: WorkQueue

    @property
    def encoding(self) -> str: ...

    @property
    def supports_document_changes(self) -> bool: ...

    @property
    def supports_create_files(self) -> bool: ...

    @property
    def client_capabilities(self) -> types.ClientCapabilities: ...

    @property
    def work_done_progress(self) -> Any: ...

    def open_document(self, uri: str) -> Any: ...

    def path_of(self, uri: str) -> str: ...

    def folders(self) -> list[Path]: ...

    def default_folder(self) -> Path: ...

    def file_text(self, path: Path) -> str: ...

    def publish(
        self, owner: str, by_uri: Mapping[str, list[types.Diagnostic]], version: int | None
    ) -> None: ...

    def to_json(self, value: Any) -> Any: ...

    def log_to_client(self, message: str, kind: types.MessageType = ...) -> None: ...


@dataclass(frozen=True)
class Target:
    """The document a command works on, frozen at the version the command saw.

    `version` is None for a file that is not open in the editor (its text was read from disk).
    """

    uri: str
    version: int | None
    text: str
    path: Path  # absolute
    root: Path
    language_id: str | None

    @property
    def relative_path(self) -> str:
        return self.path.relative_to(self.root).as_posix()

    @property
    def is_open(self) -> bool:
        return self.version is not None

    def place(self) -> DocumentPlace:
        return DocumentPlace(
            uri=self.uri, text=self.text, relative_path=self.relative_path, root=self.root
        )


def argument(args: tuple[Any, ...]) -> Mapping[str, Any]:
    if len(args) != 1 or not isinstance(args[0], Mapping):
        raise CommandError("expected exactly one object argument", code=None)
    return args[0]


def target_of(
    server: ServerContext, raw: Mapping[str, Any], *, allow_closed: bool = False
) -> Target:
    """The document `raw["uri"]` names; a closed one (read from disk) only with `allow_closed`."""
    uri = raw.get("uri")
    if not isinstance(uri, str):
        raise CommandError("expected {uri: string, ...}")
    path = Path(server.path_of(uri)).resolve()
    root = document_root(path, [folder.resolve() for folder in server.folders()])
    document = server.open_document(uri)
    if document is not None:
        return Target(uri, document.version, document.source, path, root, document.language_id)
    if not allow_closed:
        raise CommandError(f"{uri} is not open")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from exc
    return Target(path.as_uri(), None, text, path, root, "python")


def is_current(server: ServerContext, target: Target) -> bool:
    """Is the document still at the version (or, when closed, the text) the command saw?"""
    document = server.open_document(target.uri)
    if not target.is_open:
        return document is None and server.file_text(target.path) == target.text
    return document is not None and document.version == target.version


def cap_output(text: str) -> str:
    """A program's output as a result carries it: at most MAX_OUTPUT_CHARS characters."""
    return text if len(text) <= MAX_OUTPUT_CHARS else text[:MAX_OUTPUT_CHARS] + "\n[truncated]"


def range_argument(raw: Any) -> types.Range | None:
    if raw is None:
        return None
    try:
        return types.Range(
            start=types.Position(
                line=int(raw["start"]["line"]), character=int(raw["start"]["character"])
            ),
            end=types.Position(
                line=int(raw["end"]["line"]), character=int(raw["end"]["character"])
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CommandError(f"invalid range: {exc}") from exc


async def run_tracked(
    server: ServerContext,
    owner: str,
    work: Coroutine[Any, Any, T],
    queued: Callable[[str], None] | None = None,
) -> T:
    """Run `work` as a task `owner` (a document uri) holds; a change to the document cancels it.

    The work waits for a slot in the server's queue first (`queued` hears that it waits).
    Returns the work's result. Raises `asyncio.CancelledError` out of this request when the
    request itself was cancelled ($/cancelRequest), after the work has been stopped; raises
    `CommandError` (code stale or cancelled) when the owner's state cancelled the work (an edit,
    fixloop.cancel, the progress Cancel button).
    """
    state = server.documents.get(owner)
    task = asyncio.ensure_future(server.work_queue.run(work, queued))
    server.documents.track(owner, task)
    try:
        await asyncio.wait({task})
    except asyncio.CancelledError:
        task.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.wait({task}, timeout=10)
        raise
    if task.cancelled():
        code = state.cancel_code or ErrorCode.CANCELLED
        raise CommandError(state.cancel_reason or "cancelled", code)
    return task.result()
