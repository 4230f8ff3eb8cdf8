"""Turn run results and test reports into LSP diagnostics.

An uncaught exception becomes one diagnostic on the deepest traceback frame that lies inside the
document (source "fixloop", code = exception type, message = exception message), with the other
frames as related information so the client can jump through the stack. A run stopped by a
limit (timeout, memory, output) becomes a warning on the first line, because there is no frame
to point at. A failing test becomes a diagnostic on its failing line in the test file and one in
the module under test where `testplaces` traces it. Everything here is a pure function of its
inputs (files are read through the `read` function the caller passes).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types

from fixloop.lsp.edits import UTF16, line_content_range, line_span
from fixloop.lsp.testplaces import FailingTest, Reader, place_failure
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


@dataclass(frozen=True)
class TestDiagnostics:
    """Diagnostics for a test run, and which module each failing test was traced to."""

    __test__ = False  # a value, not a pytest test class

    by_uri: dict[str, list[types.Diagnostic]]
    modules: dict[str, str]  # node id -> uri of the module under test it points into
    tested: list[tuple[str, str, str]]  # (test file uri, node id, module uri)


def _uri(place: DocumentPlace, relative: str) -> str:
    return place.uri if place.holds(relative) else (place.root / relative).as_uri()


def _failure_message(failure: FailingTest, test_text: str) -> str:
    message = failure.message or "failed"
    if message == "AssertionError" and failure.line:
        # A bare assert gives no message outside pytest's rewriting: show the assertion.
        span = line_span(test_text, failure.line - 1)
        source = test_text[span.start : span.end].strip() if span else ""
        if source.startswith("assert "):
            message = f"AssertionError: {source}"
    return message


_HOW = {
    "frame": "{test} fails here: {message}",
    "call": "{test} fails on the value returned here: {message}",
    "def": "{test} fails in {function}: {message}",
}


def test_diagnostics(
    failures: Iterable[FailingTest], place: DocumentPlace, read: Reader, encoding: str = UTF16
) -> TestDiagnostics:
    """Mark each failing test on its failing line, and the module under test where it points.

    The test file's mark carries `data = {test, module}` so its quick fix can fix the module with
    that test as the oracle; the module's mark names the test and links back to its line.
    """
    by_uri: dict[str, list[types.Diagnostic]] = {}
    modules: dict[str, str] = {}
    tested: list[tuple[str, str, str]] = []
    for failure in failures:
        test_uri = _uri(place, failure.test_file)
        test_text = read(failure.test_file) or ""
        test_range = line_content_range(test_text, max((failure.line or 1) - 1, 0), encoding)
        message = _failure_message(failure, test_text)
        found = place_failure(failure, read)
        module_uri = _uri(place, found.module) if found is not None else None
        test_location = types.Location(uri=test_uri, range=test_range)
        related = None
        if found is not None and module_uri is not None:
            module_text = read(found.module) or ""
            module_range = line_content_range(module_text, found.line - 1, encoding)
            related = [
                types.DiagnosticRelatedInformation(
                    location=types.Location(uri=module_uri, range=module_range),
                    message=f"the code under test ({found.function or found.module})",
                )
            ]
            by_uri.setdefault(module_uri, []).append(
                types.Diagnostic(
                    range=module_range,
                    message=_HOW[found.how].format(
                        test=failure.name, message=message, function=found.function
                    ),
                    severity=types.DiagnosticSeverity.Error
                    if found.how == "frame"
                    else types.DiagnosticSeverity.Warning,
                    source=SOURCE,
                    code=TEST_FAILURE,
                    related_information=[
                        types.DiagnosticRelatedInformation(
                            location=test_location, message=f"{failure.nodeid} fails here"
                        )
                    ],
                    data={"test": failure.nodeid, "testUri": test_uri},
                )
            )
            modules[failure.nodeid] = module_uri
            tested.append((test_uri, failure.nodeid, module_uri))
        by_uri.setdefault(test_uri, []).append(
            types.Diagnostic(
                range=test_range,
                message=f"{failure.nodeid} failed: {message}",
                severity=types.DiagnosticSeverity.Error,
                source=SOURCE,
                code=TEST_FAILURE,
                related_information=related,
                data={"test": failure.nodeid, "module": module_uri},
            )
        )
    return TestDiagnostics(by_uri, modules, tested)


def module_summary_diagnostic(
    failing: Sequence[str], problems: Sequence[str], text: str, encoding: str = UTF16
) -> types.Diagnostic:
    """One warning on the module's first line: the failing tests that exercise it, or why the
    tests could not run (nothing in them points at a line of the module)."""
    if problems:
        message = f"the tests could not run: {problems[0]}"
    else:
        names = [nodeid.rsplit("::", 1)[-1] for nodeid in failing]
        listed = ", ".join(n for n in names[:5] if n) + (", ..." if len(names) > 5 else "")
        count = len(failing)
        message = f"{count} failing test{'s' if count != 1 else ''}" + (
            f": {listed}" if listed else ""
        )
    return types.Diagnostic(
        range=line_content_range(text, 0, encoding),
        message=message,
        severity=types.DiagnosticSeverity.Warning,
        source=SOURCE,
        code=TEST_FAILURE,
    )
