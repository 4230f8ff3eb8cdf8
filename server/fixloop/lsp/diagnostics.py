"""Turn run results and test reports into LSP diagnostics.

An uncaught exception becomes one diagnostic on the deepest traceback frame that lies inside the
document (source "fixloop", code = exception type, message = exception message), with the other
frames as related information so the client can jump through the stack. A run stopped by a
limit (timeout, memory, output) becomes a warning on the first line, because there is no frame
to point at. A failing test becomes a diagnostic on the line its report names, in whichever file
that is (the module or the test file). Everything here is a pure function of its inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types

from fixloop.lsp.edits import UTF16, line_content_range
from fixloop.sandbox.base import Frame, RunResult, Status

SOURCE = "fixloop"
TEST_FAILURE = "test-failure"
_LIMIT_MESSAGES = {
    Status.TIMEOUT: "the run was stopped at the time limit",
    Status.MEMORY: "the run was stopped at the memory limit",
    Status.OUTPUT_LIMIT: "the run was stopped at the output limit",
    Status.KILLED: "the run was killed",
}


@dataclass(frozen=True)
class DocumentPlace:
    """Where the document lives: its text, its path relative to the run root, and the root."""

    uri: str
    text: str
    relative_path: str  # posix, relative to root
    root: Path

    def holds(self, file: str | None) -> bool:
        if not file:
            return False
        if file == self.relative_path:
            return True
        candidate = Path(file)
        return candidate.is_absolute() and candidate == self.root / self.relative_path


def _frame_location(frame: Frame, place: DocumentPlace, encoding: str) -> types.Location | None:
    if place.holds(frame.file):
        where = line_content_range(place.text, frame.line - 1, encoding)
        return types.Location(uri=place.uri, range=where)
    path = Path(frame.file)
    if frame.file.startswith("<"):
        return None  # "<string>", "<frozen ...>": nothing to open
    if not path.is_absolute():
        path = place.root / path
    line = max(frame.line - 1, 0)
    return types.Location(
        uri=path.as_uri(),
        range=types.Range(
            types.Position(line=line, character=0), types.Position(line=line + 1, character=0)
        ),
    )


def run_diagnostics(
    result: RunResult, place: DocumentPlace, encoding: str = UTF16
) -> list[types.Diagnostic]:
    """Diagnostics for one run of the document: empty when it ran clean."""
    if result.status is Status.OK:
        return []
    error = result.error
    if error is None:
        message = _LIMIT_MESSAGES.get(result.status)
        if message is None:
            if result.status is Status.SANDBOX_ERROR:
                return []  # the sandbox failed, not the code; the command reports it
            message = f"the program exited with code {result.exit_code}"
        return [
            types.Diagnostic(
                range=line_content_range(place.text, 0, encoding),
                message=message,
                severity=types.DiagnosticSeverity.Warning,
                source=SOURCE,
                code=result.status.value,
            )
        ]
    inside = [frame for frame in error.frames if place.holds(frame.file)]
    if inside:
        line = inside[-1].line
    elif place.holds(error.file) and error.line:
        line = error.line  # a SyntaxError has a location but no frames in the file
    else:
        line = 1  # the failure happened elsewhere; still say so in this document
    primary = inside[-1] if inside else None
    related = []
    for frame in error.frames:
        location = None if frame is primary else _frame_location(frame, place, encoding)
        if location is not None:
            related.append(
                types.DiagnosticRelatedInformation(
                    location=location, message=f"in {frame.function}"
                )
            )
    return [
        types.Diagnostic(
            range=line_content_range(place.text, line - 1, encoding),
            message=error.message or error.type,
            severity=types.DiagnosticSeverity.Error,
            source=SOURCE,
            code=error.type,
            related_information=related or None,
        )
    ]


def failing_test_diagnostics(
    failures: Iterable[Any], place: DocumentPlace, texts: dict[str, str], encoding: str = UTF16
) -> dict[str, list[types.Diagnostic]]:
    """Diagnostics per uri for failing tests; `texts` maps relative paths to file contents."""
    by_uri: dict[str, list[types.Diagnostic]] = {}
    for failure in failures:
        file = str(getattr(failure, "file", "") or place.relative_path)
        line = int(getattr(failure, "line", 0) or 1)
        if place.holds(file):
            uri, text = place.uri, place.text
        else:
            path = Path(file) if Path(file).is_absolute() else place.root / file
            uri, text = path.as_uri(), texts.get(file, "")
        by_uri.setdefault(uri, []).append(
            types.Diagnostic(
                range=line_content_range(text, line - 1, encoding),
                message=f"{getattr(failure, 'nodeid', 'test')} failed: {getattr(failure, 'message', '')}".strip(),
                severity=types.DiagnosticSeverity.Error,
                source=SOURCE,
                code=TEST_FAILURE,
            )
        )
    return by_uri


def module_summary_diagnostic(
    failures: Iterable[Any], failed: int, text: str, encoding: str = UTF16
) -> types.Diagnostic:
    """One warning on the module's first line naming the failing tests that exercise it."""
    names = [str(getattr(f, "nodeid", "")).rsplit("::", 1)[-1] for f in failures]
    listed = ", ".join(n for n in names[:5] if n) + (", ..." if len(names) > 5 else "")
    return types.Diagnostic(
        range=line_content_range(text, 0, encoding),
        message=f"{failed} failing test{'s' if failed != 1 else ''}"
        + (f": {listed}" if listed else ""),
        severity=types.DiagnosticSeverity.Warning,
        source=SOURCE,
        code=TEST_FAILURE,
    )
