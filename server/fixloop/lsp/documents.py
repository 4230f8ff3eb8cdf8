"""Per-document state: the running loop, the verified fix and the diagnostics we published.

Everything is keyed by document version, so nothing stale is ever offered: a change to the
document cancels its running work and forgets its fix, and a fix is kept only for the exact
version it was computed on. Code actions read this state and nothing else, which keeps them
cheap (no sandbox, no model, no parsing of the document).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types

from fixloop.lsp.errors import ErrorCode


@dataclass(frozen=True)
class VerifiedFix:
    """A fix the sandbox proved, valid only for `version` of the document."""

    version: int | None
    title: str
    edit: types.WorkspaceEdit
    summary: str
    proof: str


@dataclass(frozen=True)
class TranscriptSource:
    """What a transcript does not record but its view needs: the text the loop started from
    (to show each candidate's change as a diff), the verified fix's diff and the sandbox."""

    path: str
    uri: str
    text: str
    sandbox: str
    fix_diff: str = ""


@dataclass
class DocumentState:
    uri: str
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    fix: VerifiedFix | None = None
    # Uris we published diagnostics to on behalf of this document (itself, its test files).
    published: set[str] = field(default_factory=set)
    transcript: TranscriptSource | None = None
    # Why the last piece of work on this document was cancelled, for the result it returns.
    cancel_reason: str = ""
    cancel_code: ErrorCode | None = None

    def cancel(self, reason: str, code: ErrorCode = ErrorCode.CANCELLED) -> int:
        """Cancel every running task of this document; returns how many were running."""
        running = [task for task in self.tasks if not task.done()]
        if running:
            self.cancel_reason = reason
            self.cancel_code = code
        for task in running:
            task.cancel()
        return len(running)

    def fix_for(self, version: int | None) -> VerifiedFix | None:
        if self.fix is not None and self.fix.version == version:
            return self.fix
        return None

    def discard(self, version: int | None) -> bool:
        """Forget the fix computed for `version` (any version when None); True if one was kept."""
        if self.fix is None or (version is not None and self.fix.version != version):
            return False
        self.fix = None
        return True


class DocumentStates:
    """All document states of one server, plus the workspace roots used to place files."""

    def __init__(self) -> None:
        self._states: dict[str, DocumentState] = {}
        self.last_transcript: TranscriptSource | None = None
        # (test file uri, node id) -> uri of the module a run of that test was traced into.
        self.tested: dict[tuple[str, str], str] = {}

    def get(self, uri: str) -> DocumentState:
        state = self._states.get(uri)
        if state is None:
            state = self._states[uri] = DocumentState(uri)
        return state

    def peek(self, uri: str) -> DocumentState | None:
        return self._states.get(uri)

    def all(self) -> list[DocumentState]:
        return list(self._states.values())

    def track(self, uri: str, task: asyncio.Task[Any]) -> None:
        state = self.get(uri)
        state.tasks.add(task)
        task.add_done_callback(state.tasks.discard)

    def forget(self, uri: str) -> None:
        self._states.pop(uri, None)


def document_root(path: Path, folders: list[Path]) -> Path:
    """The deepest workspace folder holding `path`, else the file's own directory."""
    holding = [folder for folder in folders if path.is_relative_to(folder)]
    if holding:
        return max(holding, key=lambda folder: len(folder.parts))
    return path.parent
