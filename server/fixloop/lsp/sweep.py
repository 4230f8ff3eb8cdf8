"""The editor's sweep: `fixloop.sweep` runs `run_sweep` on a workspace folder, `fixloop.sweepEdit`
turns one job's verified fix into a versioned edit of the open document.

`fixloop.sweep {folder?}` sweeps the folder's saved files with the server's settings, its jobs
running in the server's own process on its shared sandbox (`fixloop.sweep.inprocess`),
reporting progress through work-done progress (cancellable, and cancelled by `fixloop.cancel`
like any other work), and answers with every job as data: target, tests,
verdict, proof, diff, node, and whether the fix is in the proven combined patch. The server
keeps the last sweep's texts, never writes a file, and gives a fix as an edit only on request:
`fixloop.sweepEdit {job, uri}` checks that the open document still holds the text the fix was
made for and returns a `TextDocumentEdit` for the document's current version, or says stale.
"""

from __future__ import annotations

import os
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fixloop.lsp.context import ServerContext, argument, run_tracked
from fixloop.lsp.edits import minimal_text_edit, workspace_edit
from fixloop.lsp.errors import CommandError, ErrorCode, failure
from fixloop.lsp.progress import LoopProgress

if TYPE_CHECKING:
    from fixloop.sweep.model import JobResult
    from fixloop.sweep.run import SweepEvent, SweepReport

SWEEP_OWNER = "fixloop:sweep"  # `fixloop.cancel {uri: "fixloop:sweep"}` (or `{}`) stops a sweep
_LAST: weakref.WeakKeyDictionary[Any, SweepReport] = weakref.WeakKeyDictionary()


def _folder(server: ServerContext, raw: Any) -> Path:
    folder = raw.get("folder") if raw else None
    if folder is None:
        return server.default_folder().resolve()
    if not isinstance(folder, str):
        raise CommandError("`folder` must be a file URI or a path")
    path = Path(server.path_of(folder) if "://" in folder else folder).resolve()
    if not path.is_dir():
        raise CommandError(f"{path} is not a folder")
    return path


def _options(server: ServerContext, root: Path) -> Any:
    from fixloop.secretenv import secret_environ
    from fixloop.sweep.model import JobSettings
    from fixloop.sweep.run import SweepOptions

    settings = server.settings
    job_settings = JobSettings.of(settings)
    return SweepOptions(
        root=root,
        settings=job_settings,
        test_command=settings.test_command or None,
        workers=os.cpu_count() or 1,
        secrets=dict(secret_environ()),
        in_process=True,  # the jobs run here, on the server's shared sandbox
    )


def _job(result: JobResult, root: Path, in_patch: bool, passes: bool) -> dict[str, Any]:
    return {
        "id": result.job_id,
        "target": result.target,
        "uri": (root / result.target).as_uri(),
        "tests": list(result.tests),
        "verdict": result.verdict.value,
        "summary": result.summary,
        "proof": result.proof,
        "reason": result.reason,
        "diff": result.diff,
        "node": result.node,
        "durationMs": result.duration_ms,
        # Which opening of the server's shared sandbox ran the job (Run File reports the same).
        "sandboxSerial": result.sandbox_serial,
        "inCombinedPatch": in_patch,
        "passesWithCombinedPatch": passes,
        # For Show Diff; "" unless the job has a verified fix.
        "original": result.original,
        "fixed": result.fixed,
    }


def _payload(report: SweepReport) -> dict[str, Any]:
    combined = report.combined
    proven = combined is not None and combined.holds
    in_patch = set(combined.applied_jobs) if combined is not None and proven else set()
    passing = set(combined.passing_with_patch) if combined is not None and proven else set()
    return {
        "ok": True,
        "root": str(report.root),
        "passed": len(report.baseline.passed),
        "failed": len(report.baseline.failed),
        "nothingToFix": report.nothing_to_fix,
        "jobs": [
            _job(r, report.root, r.job_id in in_patch, r.job_id in passing) for r in report.results
        ],
        "unassigned": [test.nodeid for test in report.unassigned],
        "combined": None
        if combined is None or combined.after is None
        else {
            "holds": proven,
            "before": report.baseline.summary(),
            "after": combined.after.summary(),
        },
        "durationMs": report.duration_ms,
    }


async def sweep_command(server: ServerContext, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args) if args else {}
    root = _folder(server, raw)
    from fixloop.sandbox.base import SandboxUnavailable
    from fixloop.sweep.run import SweepUsageError, run_sweep

    state = server.documents.get(SWEEP_OWNER)
    state.cancel("a newer sweep replaced this one")

    def stop() -> None:
        state.cancel("cancelled by the user")

    progress = LoopProgress(server, "Fixloop: fix all failing tests", on_cancel=stop)
    await progress.begin(f"sweeping {root.name}")

    def report(event: SweepEvent) -> None:
        head = f"[{event.done}/{event.total}] " if event.kind == "result" else ""
        progress.report(head + event.message)

    try:
        swept = await run_tracked(server, SWEEP_OWNER, run_sweep(_options(server, root), report))
    except (SweepUsageError, SandboxUnavailable, CommandError) as exc:
        progress.end(str(exc))
        return failure(
            ErrorCode.SANDBOX_UNAVAILABLE
            if isinstance(exc, SandboxUnavailable)
            else ErrorCode.BAD_REQUEST,
            str(exc),
        )
    _LAST[server] = swept
    fixed = sum(1 for r in swept.results if r.verdict.value == "fixed")
    progress.end(f"{fixed} of {len(swept.results)} modules fixed")
    return _payload(swept)


def sweep_edit_command(server: ServerContext, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args)
    report = _LAST.get(server)
    job_id, uri = raw.get("job"), raw.get("uri")
    if report is None:
        return failure(ErrorCode.BAD_REQUEST, "no sweep yet: run Fix All Failing Tests first")
    result = next((r for r in report.results if r.job_id == job_id), None)
    if result is None or result.verdict.value != "fixed":
        return failure(ErrorCode.BAD_REQUEST, f"the last sweep has no verified fix for {job_id!r}")
    if not isinstance(uri, str) or Path(server.path_of(uri)).resolve() != (
        report.root / result.target
    ):
        raise CommandError(f"expected the uri of {result.target}")
    document = server.open_document(uri)
    if document is None:
        return failure(
            ErrorCode.BAD_REQUEST, f"{result.target} is not open; open it to apply the fix"
        )
    if document.source != result.original:
        return failure(
            ErrorCode.STALE, f"{result.target} changed since the sweep; run it again", stale=True
        )
    edit = minimal_text_edit(document.source, result.fixed, server.encoding)
    if edit is None:
        return failure(ErrorCode.BAD_REQUEST, "the fix changes nothing in the document")
    versioned = workspace_edit(
        uri, document.version, edit, document_changes=server.supports_document_changes
    )
    return {"ok": True, "version": document.version, "edit": server.to_json(versioned)}
