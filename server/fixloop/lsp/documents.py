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


@dataclass(frozen=True)
class VerifiedFix:
    """A fix the sandbox proved, valid only for `version` of the document."""

    version: int | None
    title: str
    edit: types.WorkspaceEdit
    summary: str
    proof: str


@dataclass
class DocumentState:
    uri: str
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    fix: VerifiedFix | None = None
    # Uris we published diagnostics to on behalf of this document (itself, its test files).
    published: set[str] = field(default_factory=set)
    transcript: str | None = None
    # Why the last piece of work on this document was cancelled, for the result it returns.
    cancel_reason: str = ""

    def cancel(self, reason: str) -> int:
        """Cancel every running task of this document; returns how many were running."""
        running = [task for task in self.tasks if not task.done()]
        if running:
            self.cancel_reason = reason
        for task in running:
            task.cancel()
        return len(running)

    def fix_for(self, version: int | None) -> VerifiedFix | None:
        if self.fix is not None and self.fix.version == version:
            return self.fix
        return None


class DocumentStates:
    """All document states of one server, plus the workspace roots used to place files."""

    def __init__(self) -> None:
        self._states: dict[str, DocumentState] = {}
        self.last_transcript: str | None = None

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
