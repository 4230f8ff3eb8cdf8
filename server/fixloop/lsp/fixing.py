"""The repair commands: `fixloop.fix`, `fixloop.fixTest`, `fixloop.testTarget`, `fixloop.discard`.

`fixloop.fix {uri, version?, range?, scope?, tests?, checker?}` runs the loop on a document and
keeps a verified fix for the version it was computed on, which the code actions then offer.
The oracle is `tests` when given (node ids or files, never edited), else the tests covering the
module or a run of the file. `checker` names another tool's diagnostic the fix is for: when the
interpreter for the user's code has that tool, the loop runs it in the sandbox and a fix is
verified only when it also clears the diagnostic; the result's `checker` says whether it did
(or why the fix is proved by the tests or the run only).
`fixloop.testTarget` finds the module a failing test exercises; `fixloop.fixTest` fixes that
module with the test as the oracle. `fixloop.discard {uri, version}` forgets a fix so it is no
longer offered.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fixloop.fixes import FixResult
from fixloop.lsp.checkers import checker_report, parse_checker, probe_checker
from fixloop.lsp.context import (
    ServerContext,
    Target,
    argument,
    is_current,
    range_argument,
    run_tracked,
    target_of,
)
from fixloop.lsp.documents import DocumentState, TranscriptSource, VerifiedFix
from fixloop.lsp.edits import minimal_text_edit, selection_lines, workspace_edit
from fixloop.lsp.errors import STALE_REASON, CommandError, ErrorCode, error_for
from fixloop.lsp.progress import LoopProgress
from fixloop.lsp.sandboxinfo import resolve_sandbox
from fixloop.lsp.testplaces import (
    FailingTest,
    is_test_path,
    modules_under_test,
    nodeid_at_line,
    place_failure,
)
from fixloop.repair.source import function_range_at as enclosing_function
from fixloop.spans import LineRange

log = logging.getLogger(__name__)
_EMPTY_RESULT: dict[str, Any] = {
    "verified": False,
    "summary": "",
    "proof": "",
    "diff": "",
    "edit": None,
    "transcript": None,
}
_MAX_TESTS = 200


def _fix_range(target: Target, raw: Mapping[str, Any]) -> LineRange | None:
    selection = range_argument(raw.get("range"))
    if selection is None:
        return None
    if raw.get("scope") == "function":
        # From a diagnostic: the loop works on the function around the failing line.
        return enclosing_function(target.text, selection.start.line + 1)
    return selection_lines(selection)


def _tests_argument(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > _MAX_TESTS:
        raise CommandError(f"tests must be a list of at most {_MAX_TESTS} test ids")
    if not all(isinstance(t, str) and t and "\x00" not in t and len(t) < 1000 for t in raw):
        raise CommandError("each test must be a pytest node id or a test file")
    return tuple(raw)


def _cancel(state: DocumentState) -> None:
    state.cancel("cancelled by the user")


def _failed(target: Target, error: CommandError) -> dict[str, Any]:
    stale = error.code is ErrorCode.STALE
    return {**_EMPTY_RESULT, **error.result(stale=stale, fixFound=False, uri=target.uri)}


async def fix_command(server: ServerContext, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args)
    target = target_of(server, raw, allow_closed=True)
    if raw.get("version") is not None and raw.get("version") != target.version:
        return _failed(target, CommandError(STALE_REASON, ErrorCode.STALE))
    tests = _tests_argument(raw.get("tests"))
    checker = parse_checker(raw.get("checker"))
    if tests and is_test_path(target.relative_path):
        raise CommandError(f"{target.relative_path} is a test file; fixloop never edits tests")
    from fixloop.fixes import FixRequest
    from fixloop.loop import run_fix

    # Only a checker the interpreter has can be part of the proof; otherwise the result says so.
    installed = checker is not None and await probe_checker(
        checker.tool, server.settings, target.root
    )
    state = server.documents.get(target.uri)
    state.cancel("a newer fix request replaced this one")
    state.fix = None
    # With no explicit tests, the loop picks the oracle: the configured test command or the
    # module's tests when there are any (a crash silenced the wrong way fails them), else running
    # the file.
    request = FixRequest(
        path=Path(target.relative_path),
        root=target.root,
        settings=server.settings,
        source=target.text,
        line_range=_fix_range(target, raw),
        tests=tests,
        allow_shell=server.settings.allow_shell,
        discover_tests=not tests,
        checker=checker if installed else None,
    )
    progress = LoopProgress(
        server,
        "Fixloop: debug and fix",
        on_cancel=lambda: _cancel(state),
    )
    await progress.begin(f"running {target.path.name}")
    where = (
        f"lines {request.line_range.start}-{request.line_range.end}"
        if request.line_range
        else "the failing code"
    )
    progress.report(f"reproducing the failure, then searching {where} of {target.path.name}")
    try:
        result = await run_tracked(
            server, target.uri, run_fix(request, progress=progress.report), progress.report
        )
    except CommandError as exc:
        progress.end(str(exc))
        return _failed(target, exc)
    except asyncio.CancelledError:
        progress.end("cancelled")
        raise
    except Exception as exc:  # a sandbox, configuration or usage problem: say what it was
        error = error_for(exc, server.settings.sandbox)
        if error.code is ErrorCode.INTERNAL:
            log.exception("fix failed")
        progress.end("failed")
        return _failed(target, error)
    sandbox = await resolve_sandbox(server.settings)
    if result.transcript:
        state.transcript = server.documents.last_transcript = TranscriptSource(
            result.transcript, target.uri, target.text, sandbox.name, result.diff
        )
    proof = result.proof.short() if result.proof else ""
    if result.verified and result.checker is not None and result.checker.status == "cleared":
        proof += f"; {result.checker.short()}"  # the quick fix's title names what it cleared
    payload: dict[str, Any] = {
        **_EMPTY_RESULT,
        "ok": True,
        "uri": target.uri,
        "verified": result.verified,
        "summary": result.summary,
        "proof": proof,
        # What the fix was proven against, as the CLI says it ("tests: 1 failing -> 5/5 pass",
        # "runs without error (no tests)"); and whether candidates that pass the same checks
        # disagree elsewhere (then it is shown as uncertain, not as proven).
        "evidence": result.evidence,
        "uncertain": result.uncertain,
        "disagreement": _first_disagreement(result),
        "diff": result.diff,
        "transcript": result.transcript,
        "reason": result.reason,
        "engine": result.engine,
        "sandbox": sandbox.name,
        "candidatesTried": result.candidates_tried,
        "durationMs": result.duration_ms,
        "nothingToFix": result.nothing_to_fix,
        "version": target.version,
        "tests": list(tests),
    }
    if checker is not None:
        oracle = result.proof.command if result.proof else "the tests of the module or a run"
        payload["checker"] = checker_report(checker, installed, result.checker, oracle)
    if not is_current(server, target):
        progress.end("dropped: the document changed")
        dropped = CommandError(STALE_REASON, ErrorCode.STALE)
        return {
            **payload,
            **dropped.result(stale=True, fixFound=result.verified),
            "verified": False,
            "diff": "",
        }
    if not result.verified:
        progress.end(result.reason or "no verified fix")
        return payload
    edit = (
        minimal_text_edit(target.text, result.fixed or "", server.encoding)
        if result.fixed is not None
        else None
    )
    if edit is None:  # a "fix" with no text or no change is nothing to offer
        progress.end("no change to offer")
        return {
            **payload,
            "verified": False,
            "diff": "",
            "reason": "the loop returned no change to apply",
        }
    document_edit = workspace_edit(
        target.uri, target.version, edit, document_changes=server.supports_document_changes
    )
    evidence = result.evidence or proof
    kind = "uncertain fix" if result.uncertain else "verified fix"
    title = f"Apply {kind}: {result.summary or 'fix'}" + (f" ({evidence})" if evidence else "")
    state.fix = VerifiedFix(target.version, title, document_edit, result.summary, evidence)
    progress.end(f"{kind}: {evidence}" if evidence else kind)
    return {**payload, "edit": server.to_json(document_edit)}


@dataclass(frozen=True)
class TestTarget:
    """A failing test and the module it exercises: what "fix the code under test" fixes."""

    __test__ = False  # a value, not a pytest test class

    test_uri: str
    nodeid: str
    module_uri: str

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "testUri": self.test_uri,
            "test": self.nodeid,
            "module": self.module_uri,
        }


def _nodeid(test: Target, raw: Mapping[str, Any]) -> str:
    """The pytest node id for a test id from an editor (any prefix before the first `::` is the
    file, in whatever form the test controller wrote it) or a line in the test file."""
    given = raw.get("test")
    if isinstance(given, str) and "::" in given:
        return f"{test.relative_path}::{given.split('::', 1)[1]}"
    line = raw.get("line")
    if isinstance(line, int) and not isinstance(line, bool) and line >= 1:
        found = nodeid_at_line(test.text, test.relative_path, line)
        if found is not None:
            return found
    return test.relative_path


def _resolve_test_target(server: ServerContext, raw: Mapping[str, Any]) -> TestTarget:
    test = target_of(server, raw, allow_closed=True)
    if not is_test_path(test.relative_path):
        raise CommandError(f"{test.relative_path} is not a test file (test_*.py or *_test.py)")
    nodeid = _nodeid(test, raw)
    module = raw.get("module")
    if not isinstance(module, str) or not module:
        module = server.documents.tested.get((test.uri, nodeid))
    if not module:

        def read(relative: str) -> str | None:
            if relative == test.relative_path:
                return test.text
            return (
                server.file_text(test.root / relative) if (test.root / relative).is_file() else None
            )

        found = place_failure(FailingTest(nodeid, None, ""), read)
        candidates = (
            [found.module] if found else modules_under_test(test.text, test.relative_path, read)
        )
        if not candidates:
            raise CommandError(
                f"cannot tell which module {nodeid} tests: it imports none of the workspace"
            )
        module = (test.root / candidates[0]).as_uri()
    return TestTarget(test.uri, nodeid, module)


async def test_target_command(server: ServerContext, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args)
    # Reading and parsing the test file and its modules: off the event loop.
    return (await asyncio.to_thread(_resolve_test_target, server, raw)).to_json()


async def fix_test_command(server: ServerContext, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args)
    found = await asyncio.to_thread(_resolve_test_target, server, raw)
    return await fix_command(server, ({"uri": found.module_uri, "tests": [found.nodeid]},))


def discard_command(server: ServerContext, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args)
    uri, version = raw.get("uri"), raw.get("version")
    if not isinstance(uri, str) or not (version is None or isinstance(version, int)):
        raise CommandError("expected {uri: string, version: integer}")
    state = server.documents.peek(uri)
    return {"ok": True, "discarded": bool(state and state.discard(version))}


def _first_disagreement(result: FixResult) -> str:
    """Where the candidates that pass the same checks disagree ("" when they agree)."""
    if not result.uncertain or not result.disagreements:
        return ""
    return result.disagreements[0].text()
