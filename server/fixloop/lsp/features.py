"""The server's commands: parse the argument object, call the domain, translate the result.

Each `fixloop.*` command takes one JSON object and returns one. The domain modules (execution,
loop, oracle, testgen, task) are imported on first use so the server starts fast and a piece
that is missing or unconfigured becomes `{ok: false, reason: ...}` rather than a crash. Work
that belongs to a document is tracked on its state, so a change to the document cancels it and
its result is dropped instead of being offered for a version it was not computed on.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from fixloop.lsp.diagnostics import (
    DocumentPlace,
    failing_test_diagnostics,
    module_summary_diagnostic,
    run_diagnostics,
)
from fixloop.lsp.documents import VerifiedFix
from fixloop.lsp.edits import (
    creation_edit,
    minimal_text_edit,
    selection_lines,
    workspace_edit,
)
from fixloop.lsp.progress import LoopProgress
from fixloop.repair.source import function_range_at as enclosing_function
from fixloop.spans import LineRange

if TYPE_CHECKING:
    from fixloop.lsp.server import FixloopServer

log = logging.getLogger(__name__)
STALE = "the document changed while fixloop was working; run it again"
_MAX_TRANSCRIPT_BYTES = 4 * 1024 * 1024
_MAX_OUTPUT_CHARS = 20_000


class CommandError(Exception):
    """A bad argument or an unusable document: becomes `{ok: false, reason}`."""


@dataclass(frozen=True)
class Target:
    """The document a command works on, frozen at the version the command saw."""

    uri: str
    version: int | None
    text: str
    path: Path  # absolute
    root: Path
    language_id: str | None

    @property
    def relative_path(self) -> str:
        return self.path.relative_to(self.root).as_posix()

    def place(self) -> DocumentPlace:
        return DocumentPlace(
            uri=self.uri, text=self.text, relative_path=self.relative_path, root=self.root
        )


def argument(args: tuple[Any, ...]) -> Mapping[str, Any]:
    if len(args) != 1 or not isinstance(args[0], Mapping):
        raise CommandError("expected exactly one object argument")
    return args[0]


def failure(reason: str, **extra: Any) -> dict[str, Any]:
    return {"ok": False, "reason": reason, **extra}


def _range_argument(raw: Any) -> types.Range | None:
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


def _cap(text: str) -> str:
    return text if len(text) <= _MAX_OUTPUT_CHARS else text[:_MAX_OUTPUT_CHARS] + "\n[truncated]"


async def run_tracked(
    server: FixloopServer, owner: str, work: Any, queued: Callable[[str], None] | None = None
) -> Any:
    """Run `work` as a task `owner` (a document uri) holds; a change to the document cancels it.

    The work waits for a slot in the server's queue first (`queued` hears that it waits).
    Returns the work's result. Raises `asyncio.CancelledError` out of this request when the
    request itself was cancelled ($/cancelRequest), after the work has been stopped; raises
    `CommandError` when the owner's state cancelled the work (an edit, fixloop.cancel, Cancel).
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
        raise CommandError(state.cancel_reason or "cancelled")
    return task.result()


def is_current(server: FixloopServer, target: Target) -> bool:
    document = server.open_document(target.uri)
    return document is not None and document.version == target.version


async def run_file_command(server: FixloopServer, args: tuple[Any, ...]) -> dict[str, Any]:
    target = server.target(argument(args))
    from fixloop.execution import run_file

    result = await run_tracked(
        server,
        target.uri,
        run_file(target.path, root=target.root, settings=server.settings, source=target.text),
    )
    if not is_current(server, target):
        return failure(STALE, stale=True)
    diagnostics = run_diagnostics(result, target.place(), server.encoding)
    server.publish(target.uri, {target.uri: diagnostics}, target.version)
    error = result.error
    return {
        "ok": result.ok,
        "status": result.status.value,
        "exitCode": result.exit_code,
        "diagnostics": len(diagnostics),
        "durationMs": result.duration_ms,
        "sandbox": result.sandbox,
        "protected": result.protected,
        "note": result.note,
        "stdout": _cap(result.stdout),
        "stderr": _cap(result.stderr),
        "error": None
        if error is None
        else {"type": error.type, "message": error.message, "line": error.line},
    }


async def run_tests_command(server: FixloopServer, args: tuple[Any, ...]) -> dict[str, Any]:
    target = server.target(argument(args))
    from fixloop import oracle, test_runs

    command = server.settings.test_command or None
    # Discovery walks the workspace and parses every test file: off the event loop (as the loop does).
    tests: list[str] = (
        []
        if command
        else await asyncio.to_thread(oracle.discover_tests_for, target.path, target.root)
    )
    if not command and not tests:
        return failure(
            "no pytest file under the workspace imports this module; set fixloop.testCommand"
        )
    report = await run_tracked(
        server,
        target.uri,
        test_runs.run_tests(
            target.root,
            tests,
            settings=server.settings,
            overlay={target.relative_path: target.text},
            command=command,
        ),
    )
    if not is_current(server, target):
        return failure(STALE, stale=True)
    texts = {}
    for item in report.failures:
        file = str(item.file or "")
        if file and file not in texts:
            texts[file] = server.file_text(target.root / file)
    by_uri = failing_test_diagnostics(report.failures, target.place(), texts, server.encoding)
    if report.failed and not by_uri.get(target.uri):
        # The failures point into the tests; the module still needs a place to offer the fix.
        by_uri[target.uri] = [
            module_summary_diagnostic(report.failures, report.failed, target.text, server.encoding)
        ]
    by_uri.setdefault(target.uri, [])
    server.publish(target.uri, by_uri, target.version)
    return {
        "ok": report.failed == 0,
        "passed": report.passed,
        "failed": report.failed,
        "failures": [
            {"nodeid": f.nodeid, "file": f.file, "line": f.line, "message": f.message}
            for f in report.failures
        ],
    }


def _fix_range(target: Target, raw: Mapping[str, Any]) -> LineRange | None:
    selection = _range_argument(raw.get("range"))
    if selection is None:
        return None
    if raw.get("scope") == "function":
        # From a diagnostic: the loop works on the function around the failing line.
        return enclosing_function(target.text, selection.start.line + 1)
    return selection_lines(selection)


def _cancel(state: Any) -> None:
    state.cancel("cancelled by the user")


async def fix_command(server: FixloopServer, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args)
    target = server.target(raw)
    result_shape = {
        "verified": False,
        "summary": "",
        "proof": "",
        "diff": "",
        "edit": None,
        "transcript": None,
    }
    if raw.get("version") is not None and raw.get("version") != target.version:
        return {**result_shape, "ok": False, "stale": True, "reason": STALE}
    try:
        from fixloop.loop import run_fix
    except ImportError as exc:
        return {**result_shape, "ok": False, "reason": f"the repair loop is not available: {exc}"}
    from fixloop.fixes import FixRequest

    state = server.documents.get(target.uri)
    state.cancel("a newer fix request replaced this one")
    state.fix = None
    # The loop picks the oracle: the configured test command or the module's tests when there
    # are any (a crash silenced the wrong way fails them), else running the file.
    request = FixRequest(
        path=Path(target.relative_path),
        root=target.root,
        settings=server.settings,
        source=target.text,
        line_range=_fix_range(target, raw),
        allow_shell=server.settings.allow_shell,
        discover_tests=True,
    )
    progress = LoopProgress(server, "Fixloop: debug and fix", on_cancel=lambda: _cancel(state))
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
        return {
            **result_shape,
            "ok": False,
            "reason": str(exc),
            "stale": not is_current(server, target),
        }
    except asyncio.CancelledError:
        progress.end("cancelled")
        raise
    except Exception as exc:  # a sandbox or configuration problem: say what it was
        log.exception("fix failed")
        progress.end("failed")
        return {**result_shape, "ok": False, "reason": f"{type(exc).__name__}: {exc}"}
    state.transcript = server.documents.last_transcript = result.transcript
    proof = result.proof.short() if result.proof else ""
    payload = {
        **result_shape,
        "ok": True,
        "verified": result.verified,
        "summary": result.summary,
        "proof": proof,
        "diff": result.diff,
        "transcript": result.transcript,
        "reason": result.reason,
        "engine": result.engine,
        "candidatesTried": result.candidates_tried,
        "durationMs": result.duration_ms,
        "nothingToFix": result.nothing_to_fix,
        "version": target.version,
    }
    if not is_current(server, target):
        progress.end("dropped: the document changed")
        return {
            **payload,
            "ok": False,
            "verified": False,
            "diff": "",
            "stale": True,
            "reason": STALE,
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
    title = f"Apply verified fix: {result.summary or 'fix'}" + (f" ({proof})" if proof else "")
    state.fix = VerifiedFix(target.version, title, document_edit, result.summary, proof)
    progress.end(f"verified: {proof}" if proof else "verified")
    return {**payload, "edit": server.to_json(document_edit)}


def _model_feature(server: FixloopServer, what: str, module: str, name: str) -> tuple[Any, Any]:
    """(model, function) for a model-backed feature, or (None, why it cannot run)."""
    model = server.model()
    if model is None:
        return (
            None,
            f"{what} needs a model: set fixloop.model (and the API key in the server's environment)",
        )
    try:
        function = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        return None, f"{what} is not available: {exc}"
    return model, function


async def generate_tests_command(server: FixloopServer, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args)
    target = server.target(raw)
    selection = _range_argument(raw.get("range"))
    model, generate_tests = _model_feature(
        server, "test generation", "fixloop.testgen", "generate_tests"
    )
    if model is None:
        return failure(generate_tests)
    line_range = selection_lines(selection) if selection else None
    progress = LoopProgress(
        server,
        "Fixloop: generate tests",
        on_cancel=lambda: _cancel(server.documents.get(target.uri)),
    )
    await progress.begin(f"writing tests for {target.path.name}")
    try:
        generated = await run_tracked(
            server,
            target.uri,
            generate_tests(
                target.path,
                target.root,
                target.text,
                line_range,
                server.settings,
                model,
                progress=progress.report,
            ),
            progress.report,
        )
    except Exception as exc:
        progress.end("stopped")
        if isinstance(exc, CommandError):
            raise
        return failure(f"{type(exc).__name__}: {exc}")
    progress.end(generated.reason or f"{generated.passed} passed, {generated.failed} failed")
    test_uri = (target.root / generated.path).as_uri()
    edit = None
    if generated.text and server.supports_create_files:
        # A new file the client creates when the user accepts it; the server writes nothing.
        edit = server.to_json(creation_edit(test_uri, generated.text))
    return {
        "ok": generated.reason is None,
        "path": str(generated.path),
        "uri": test_uri,
        "text": generated.text,
        "diff": generated.diff,
        "passed": generated.passed,
        "failed": generated.failed,
        "bugsFound": [str(bug) for bug in generated.bugs],
        "edit": edit,
        "reason": generated.reason,
    }


TASK_OWNER = "fixloop:task"  # tasks belong to no document; fixloop.cancel {} reaches them here


async def task_command(server: FixloopServer, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args)
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CommandError("fixloop.task needs a non-empty `text`")
    model, solve_task = _model_feature(server, "task mode", "fixloop.task", "solve_task")
    if model is None:
        return failure(solve_task)
    progress = LoopProgress(
        server, "Fixloop: solve task", on_cancel=lambda: _cancel(server.documents.get(TASK_OWNER))
    )
    await progress.begin(text[:80])
    try:
        # No out_dir: the server never writes files; the client saves what the user keeps.
        solved = await run_tracked(
            server,
            TASK_OWNER,
            solve_task(text, None, server.settings, model, progress=progress.report),
            progress.report,
        )
    except Exception as exc:
        progress.end("stopped")
        if isinstance(exc, CommandError):
            raise
        return failure(f"{type(exc).__name__}: {exc}")
    progress.end("solved" if solved.solved else solved.reason)
    return {
        "ok": bool(solved.solved),
        "scriptName": solved.script_name,
        "script": solved.script or "",
        "files": [_produced_file(f) for f in solved.files],
        "output": _cap(solved.output),
        "folder": raw.get("folder"),
        "reason": solved.reason or None,
    }


def _produced_file(produced: Any) -> dict[str, Any]:
    try:
        text: str | None = produced.data.decode("utf-8")
    except UnicodeDecodeError:
        text = None  # binary output: the client offers to save it, it cannot show it
    if text is not None and len(text) > _MAX_OUTPUT_CHARS * 50:
        text = None
    return {"name": produced.name, "size": len(produced.data), "text": text}


def cancel_command(server: FixloopServer, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args) if args else {}
    uri = raw.get("uri")
    states = [server.documents.get(uri)] if isinstance(uri, str) else server.documents.all()
    cancelled = sum(state.cancel("cancelled by the user") for state in states)
    return {"ok": True, "cancelled": cancelled}


def transcript_command(server: FixloopServer, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args) if args else {}
    uri = raw.get("uri")
    state = server.documents.peek(uri) if isinstance(uri, str) else None
    path = (state.transcript if state else None) or server.documents.last_transcript
    if not path:
        return failure("no transcript yet: run a fix first")
    entries: list[Any] = []
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read(_MAX_TRANSCRIPT_BYTES)
    except OSError as exc:
        return failure(f"cannot read the transcript {path}: {exc}")
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            entries.append(json.loads(line))
    return {
        "ok": True,
        "path": path,
        "entries": entries,
        "truncated": len(text) >= _MAX_TRANSCRIPT_BYTES,
    }
