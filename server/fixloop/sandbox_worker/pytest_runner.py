"""The pytest runner: `pytest.main` with a recorder plugin, read through pytest's own hooks.

`Recorder` turns pytest's reports into `ResultRecord`s: one per test report, with the target's
line coverage when asked, and "timeout" for a test whose call ran past its cut (the soft alarm
of `limits`, raised inside the test and caught by pytest like any failure). The session runner
registers it in each forked child; `run_pytest` serves a request with a full `pytest.main` (the
slow, exact path: tests the small runner cannot run, candidates the session cannot swap in),
previously failing tests first; `run_pytest_fresh` is the proof and the fresh run of the
original: a fresh interpreter running pytest exactly as `python -m pytest ARGS` would, whose
outcomes come from the same hooks (never from pytest's text output) together with pytest's
exit status; failing records carry a failure's context (`context.FailureContext`: pytest's
explanation, and for the baseline the locals and printed output) when asked. Standard library
plus pytest.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .context import FailureContext
from .coverage import Coverage
from .errors import ROOT
from .limits import SoftTimeout, arm, disarm
from .overlay import install
from .protocol import (
    ErrorRecord,
    Outcome,
    PytestAnswer,
    ResultRecord,
    RunRequest,
    StreamRecord,
    emit,
)
from .strict import CHEAT_ERROR, cheat_message, pytest_plugin
from .strict import install as install_strict_tests

MESSAGE_LIMIT = 2000
TIMEOUT_MARK = "_fixloop_timed_out"
LINE_MARK = "_fixloop_line"
CONTEXT_MARK = "_fixloop_context"  # a failing report's deferred `FailureContext` filler


def _failure_line(report: Any) -> int | None:
    """The line in the test file where the test failed (the deepest entry in that file), as
    the report's wrapper read it from the exception, else from pytest's formatted entries."""
    marked = getattr(report, LINE_MARK, None)
    if marked is not None:
        return int(marked)
    test_file = os.path.basename(report.nodeid.split("::")[0])
    line = report.location[1] + 1 if report.location[1] is not None else None
    entries = getattr(getattr(report.longrepr, "reprtraceback", None), "reprentries", None) or []
    for entry in entries:
        location = getattr(entry, "reprfileloc", None)
        if location is not None and os.path.basename(str(location.path)) == test_file:
            line = location.lineno
    return line


def _line_in_test_file(item: Any, excinfo: Any) -> int | None:
    """The deepest line of the test's own file in the exception's traceback (raw frames: pytest's
    traceback entries look every file up on disk)."""
    test_file = str(getattr(item, "path", ""))
    line = None
    tb = excinfo.tb
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == test_file:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def rank_items(items: list[Any], order: Sequence[str], skip: Sequence[str] = ()) -> list[Any]:
    """`items` without the skipped ones, those named in `order` first, in that order."""
    rank = {node: index for index, node in enumerate(order)}
    skipped = set(skip)
    kept = [item for item in items if item.nodeid not in skipped]
    return sorted(kept, key=lambda item: rank.get(item.nodeid, len(rank)))


class Recorder:
    """A pytest plugin that turns test and collection reports into `ResultRecord`s."""

    def __init__(
        self,
        record: Callable[[ResultRecord], None],
        coverage: Coverage | None = None,
        *,
        cut: float | None = None,
        markers: Callable[[StreamRecord], None] | None = None,
        order: Sequence[str] = (),
        skip: Sequence[str] = (),
        context: FailureContext | None = None,
    ) -> None:
        self.record = record
        self.context = context  # fills a failing record with what a debugger would show
        self.coverage = coverage
        self.cut = cut
        self.markers = markers  # where "start" and "call" markers of each test go
        self.order = order
        self.skip = skip
        self.lines: list[int] = []
        self.collected = 0
        self.failed = False  # some report of the current test failed

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self.failed = False
        if self.markers is not None:
            self.markers({"start": nodeid})

    def pytest_collection_modifyitems(self, session: Any, config: Any, items: Any) -> None:
        items[:] = rank_items(items, self.order, self.skip)
        self.collected = len(items)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            error: ErrorRecord = {
                "type": "CollectionError",
                "message": str(report.longrepr)[-MESSAGE_LIMIT:],
                "frames": [],
            }
            self.record({"id": "<collect>", "outcome": "failed", "collect": True, "error": error})

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when != "call" and not report.failed and not report.skipped:
            return
        outcome: Outcome = "passed" if report.passed else "skipped" if report.skipped else "failed"
        if getattr(report, TIMEOUT_MARK, False):
            outcome = "timeout"
        result: ResultRecord = {"id": report.nodeid, "outcome": outcome}
        if report.failed:
            self.failed = True
            crash = getattr(report.longrepr, "reprcrash", None)
            message = crash.message if crash else str(report.longrepr)
            result["message"] = "timed out" if outcome == "timeout" else message[:MESSAGE_LIMIT]
            result["line"] = _failure_line(report)
            fill = getattr(report, CONTEXT_MARK, None)
            if fill is not None:
                fill(result)
            cheat = cheat_message(report)
            if cheat is not None:
                result["error"] = {"type": CHEAT_ERROR, "message": cheat, "frames": []}
        if report.when == "call":
            result["ms"] = int(report.duration * 1000)
        if self.coverage:
            result["lines"] = self.lines
            self.lines = []
        self.record(result)

    def pytest_runtest_call(self, item: Any) -> Iterator[None]:
        """(hook wrapper) the cut and the coverage around the test's call."""
        if self.markers is not None:
            self.markers({"call": item.nodeid})
        if self.coverage:
            self.coverage.start()
        arm(self.cut)
        try:
            yield
        finally:
            disarm()
            if self.coverage:
                self.lines = self.coverage.stop()

    def pytest_runtest_makereport(self, item: Any, call: Any) -> Iterator[None]:
        """(hook wrapper) a call interrupted by the cut is a timeout, not a failure; a failing
        report gets its context filler, run when the report is logged."""
        outcome: Any = yield
        report = outcome.get_result()
        excinfo = getattr(call, "excinfo", None)
        if excinfo is not None:
            if excinfo.errisinstance(SoftTimeout):
                setattr(report, TIMEOUT_MARK, True)
            setattr(report, LINE_MARK, _line_in_test_file(item, excinfo))
        context = self.context
        if context is not None and report.failed:

            def fill(result: ResultRecord) -> None:
                context.from_pytest(result, item, call, report)

            setattr(report, CONTEXT_MARK, fill)


WRAPPERS = ("pytest_runtest_call", "pytest_runtest_makereport")


def recorder(*args: Any, **options: Any) -> Recorder:
    """A `Recorder`, its two generator hooks marked as pytest hook wrappers first (this module
    must import where pytest is missing, so the marks wait until pytest is there)."""
    import pytest

    for name in WRAPPERS:
        function = vars(Recorder)[name]
        if not hasattr(function, "pytest_impl"):
            pytest.hookimpl(hookwrapper=True)(function)
    return Recorder(*args, **options)


def run_pytest(request: RunRequest, out: int, coverage: Coverage | None) -> None:
    """One request through a full `pytest.main` in this process, on the overlaid target."""
    import pytest

    install(request)
    finder = install_strict_tests(
        request["tests"], raise_at_import=False, overlay=request.get("overlay")
    )
    strict = pytest_plugin(finder)
    plugin = recorder(
        lambda result: emit(out, result),
        coverage,
        cut=request.get("test_timeout"),
        markers=lambda marker: emit(out, marker),
        order=request.get("order", []),
        skip=request.get("skip", []),
        context=(
            FailureContext(os.path.join(ROOT, request["target"]), full=True)
            if request.get("context")
            else None
        ),
    )
    args = ["-q", "-p", "no:cacheprovider", "--no-header", "--rootdir", ROOT]
    if request.get("stop_on_fail"):
        args.append("-x")
    pytest.main([*args, *request["tests"]], plugins=[plugin, strict])


def run_pytest_fresh(args: Sequence[str], cut: float | None = None) -> PytestAnswer:
    """pytest with `args`, as `python -m pytest` runs it, in this (fresh) process; with `cut`,
    a test whose call runs longer is interrupted and reported as a timeout."""
    try:
        import pytest
    except ImportError:
        return {"exit_code": 1, "results": [], "collected": 0, "pytest_missing": True}
    results: list[ResultRecord] = []
    plugin = recorder(results.append, None, cut=cut, context=FailureContext(None, full=False))
    # The test files are read before pytest (and so any user code) starts.
    strict = pytest_plugin(install_strict_tests(args, raise_at_import=False))
    code = pytest.main(list(args), plugins=[plugin, strict])
    return {
        "exit_code": int(code),
        "results": results,
        "collected": plugin.collected,
        "pytest_missing": False,
    }
