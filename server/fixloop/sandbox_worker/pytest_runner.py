"""The pytest runner: `pytest.main` with a recorder plugin, read through pytest's own hooks.

`run_pytest` serves worker requests whose tests the small runner cannot run (a conftest,
fixtures, unittest classes): one record per test report, streamed as it comes, with the target's
line coverage when asked. `run_pytest_fresh` is the proof: a fresh interpreter running pytest
exactly as `python -m pytest ARGS` would, whose outcomes come from the same hooks (never from
pytest's text output) together with pytest's exit status. Standard library plus pytest.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from .coverage import Coverage
from .errors import ROOT
from .overlay import install
from .protocol import ErrorRecord, Outcome, PytestAnswer, ResultRecord, RunRequest, emit
from .strict import CHEAT_ERROR, cheat_message, pytest_plugin
from .strict import install as install_strict_tests

MESSAGE_LIMIT = 2000


def _failure_line(report: Any) -> int | None:
    """The line in the test file where the test failed (the deepest entry in that file)."""
    test_file = os.path.basename(report.nodeid.split("::")[0])
    line = report.location[1] + 1 if report.location[1] is not None else None
    entries = getattr(getattr(report.longrepr, "reprtraceback", None), "reprentries", None) or []
    for entry in entries:
        location = getattr(entry, "reprfileloc", None)
        if location is not None and os.path.basename(str(location.path)) == test_file:
            line = location.lineno
    return line


def _recorder(
    record: Callable[[ResultRecord], None],
    coverage: Coverage | None,
    *,
    on_start: Callable[[str], None] | None = None,
    skip_ids: Sequence[str] = (),
) -> object:
    """A pytest plugin that turns test and collection reports into `ResultRecord`s."""
    import pytest

    skipped_ids = set(skip_ids)

    class Recorder:
        def __init__(self) -> None:
            self.lines: list[int] = []
            self.collected = 0

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_call(self, item: Any) -> Any:
            if coverage:
                coverage.start()
            yield
            if coverage:
                self.lines = coverage.stop()

        def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
            if on_start is not None:
                on_start(nodeid)

        def pytest_collection_modifyitems(self, session: Any, config: Any, items: Any) -> None:
            items[:] = [item for item in items if item.nodeid not in skipped_ids]
            self.collected = len(items)

        def pytest_collectreport(self, report: Any) -> None:
            if report.failed:
                error: ErrorRecord = {
                    "type": "CollectionError",
                    "message": str(report.longrepr)[-MESSAGE_LIMIT:],
                    "frames": [],
                }
                record({"id": "<collect>", "outcome": "failed", "collect": True, "error": error})

        def pytest_runtest_logreport(self, report: Any) -> None:
            if report.when != "call" and not report.failed and not report.skipped:
                return
            outcome: Outcome = (
                "passed" if report.passed else "skipped" if report.skipped else "failed"
            )
            result: ResultRecord = {"id": report.nodeid, "outcome": outcome}
            if report.failed:
                crash = getattr(report.longrepr, "reprcrash", None)
                result["message"] = (crash.message if crash else str(report.longrepr))[
                    :MESSAGE_LIMIT
                ]
                result["line"] = _failure_line(report)
                cheat = cheat_message(report)
                if cheat is not None:
                    result["error"] = {"type": CHEAT_ERROR, "message": cheat, "frames": []}
            if report.when == "call":
                result["ms"] = int(report.duration * 1000)
            if coverage:
                result["lines"] = self.lines
                self.lines = []
            record(result)

    return Recorder()


def run_pytest(request: RunRequest, out: int, coverage: Coverage | None) -> None:
    import pytest

    install(request)
    finder = install_strict_tests(
        request["tests"], raise_at_import=False, overlay=request.get("overlay")
    )
    strict = pytest_plugin(finder)
    plugin = _recorder(
        lambda result: emit(out, result),
        coverage,
        on_start=lambda nodeid: emit(out, {"start": nodeid}),
        skip_ids=request.get("skip", []),
    )
    args = ["-q", "-p", "no:cacheprovider", "--no-header", "--rootdir", ROOT]
    if request.get("stop_on_fail"):
        args.append("-x")
    pytest.main([*args, *request["tests"]], plugins=[plugin, strict])


def run_pytest_fresh(args: Sequence[str]) -> PytestAnswer:
    """pytest with `args`, as `python -m pytest` runs it, in this (fresh) process."""
    try:
        import pytest
    except ImportError:
        return {"exit_code": 1, "results": [], "collected": 0, "pytest_missing": True}
    results: list[ResultRecord] = []
    plugin = _recorder(results.append, None)
    # The test files are read before pytest (and so any user code) starts.
    strict = pytest_plugin(install_strict_tests(args, raise_at_import=False))
    code = pytest.main(list(args), plugins=[plugin, strict])
    return {
        "exit_code": int(code),
        "results": results,
        "collected": int(getattr(plugin, "collected", 0)),
        "pytest_missing": False,
    }
