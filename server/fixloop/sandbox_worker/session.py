"""The collected session: pytest configured and collected once in the worker, items run per child.

`open_session` answers a `CollectRequest` by running `pytest.main(ARGS)` in the long-lived
worker exactly as `python -m pytest ARGS` would configure it from the project root (ini files,
addopts, conftest hooks, plugins), with the target's text served by the import overlay. Its
plugin takes over `pytest_runtestloop`: once the items are collected it plans the module swap
(`swap.SwapPlan`), answers, and serves the worker's requests from inside pytest's own run until
the host closes the pipe, so the session (config, fixtures' definitions, collected items,
imported test modules) stays alive for every forked child. `run_request` is one child: it swaps
the candidate in and runs the wanted items through pytest's own `pytest_runtest_protocol`
(previously failing first, stopping at the first failure), with a fresh temporary base folder;
when the swap cannot be faithful it runs a full `pytest.main` instead (`run_pytest`), from the
modules the worker had before the session (`restore_slate`), as the other runners do.
Standard library plus pytest.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .calls import CallWatch, is_project_file
from .context import FailureContext
from .coverage import Coverage
from .errors import ROOT
from .overlay import install
from .protocol import CollectAnswer, CollectRequest, RunRequest, emit
from .pytest_runner import Recorder, rank_items, recorder, run_pytest
from .strict import install as install_strict_tests
from .strict import pytest_plugin
from .swap import SwapPlan, Unfaithful


@dataclass
class _Slate:
    """What the worker had imported before the session: restored in children that must not
    see the session's modules (other runners, and the full-pytest fallback)."""

    modules: set[str]
    path: list[str]
    meta_path: list[Any]


@dataclass
class _Session:
    session: Any
    items: list[Any]
    plan: SwapPlan | None  # None when the session never imported the target
    recorder: Recorder  # registered with the session, idle until a child points it somewhere


_SLATE: _Slate | None = None
_ACTIVE: _Session | None = None


def restore_slate() -> None:
    """Forget the session's project modules and import paths (no-op without a session)."""
    if _SLATE is None:
        return
    for name, module in list(sys.modules.items()):
        if name in _SLATE.modules:
            continue
        file = getattr(module, "__file__", None)
        paths = list(getattr(module, "__path__", []) or [])
        if (isinstance(file, str) and is_project_file(file)) or any(
            isinstance(p, str) and is_project_file(os.path.join(p, "x")) for p in paths
        ):
            del sys.modules[name]
    sys.path[:] = _SLATE.path
    sys.meta_path[:] = _SLATE.meta_path


class _SessionPlugin:
    def __init__(
        self,
        message: CollectRequest,
        watch: CallWatch,
        answer: Callable[[CollectAnswer], None],
        serve: Callable[[], None],
    ) -> None:
        self.message = message
        self.watch = watch
        self.answer = answer
        self.serve = serve
        self.answered = False
        self.collect_errors: list[str] = []
        # Registered once here: registering a plugin in every child would cost it a millisecond.
        self.recorder = recorder(lambda result: None)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.collect_errors.append(report.nodeid or "<session>")

    def pytest_runtestloop(self, session: Any) -> bool:
        global _ACTIVE
        self.watch.stop()
        target = self.message["target"]
        reason = self._unusable(session, target)
        if reason:
            self._answer(False, reason, len(session.items), "")
            return True
        text = self.message.get("overlay", {}).get(target)
        path = os.path.join(ROOT, target)
        if text is None:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        try:
            plan = SwapPlan.build(path, text, self.watch, session.items)
        except Exception as exc:  # the project's objects may misbehave when looked at
            self._answer(False, f"cannot plan the swap: {type(exc).__name__}: {exc}"[:500], 0, "")
            return True
        _ACTIVE = _Session(session, list(session.items), plan, self.recorder)
        # Children must not copy the session's pages just to scan them for garbage.
        gc.collect()
        gc.freeze()
        self._answer(True, "", len(session.items), plan.reexec_blocker if plan else "")
        self.serve()
        _ACTIVE = None
        return True

    def _unusable(self, session: Any, target: str) -> str:
        if self.collect_errors:
            return f"collection errors in {', '.join(self.collect_errors[:3])}"
        if not session.items:
            return "pytest collected no tests"
        files = {str(getattr(item, "path", "")) for item in session.items}
        files |= {
            str(getattr(m, "__file__", ""))
            for m in session.config.pluginmanager.get_plugins()
            if getattr(m, "__name__", "").rpartition(".")[2] == "conftest"
        }
        if os.path.join(ROOT, target) in files:
            return "the target is a test module or a conftest"
        return ""

    def _answer(self, ok: bool, reason: str, items: int, reexec: str) -> None:
        self.answered = True
        answer: CollectAnswer = {
            "id": self.message.get("id"),
            "ok": ok,
            "reason": reason,
            "items": items,
            "reexec": reexec,
        }
        self.answer(answer)


def open_session(
    message: CollectRequest,
    answer: Callable[[CollectAnswer], None],
    serve: Callable[[], None],
) -> None:
    """Run pytest's session for `message`; `serve` handles the worker's requests meanwhile."""
    global _SLATE
    if _SLATE is not None:
        answer(_refusal(message, "a session is already open in this worker"))
        return
    _SLATE = _Slate(set(sys.modules), list(sys.path), list(sys.meta_path))
    install({"overlay": message.get("overlay", {})})
    watch = CallWatch(os.path.join(ROOT, message["target"]))
    plugin: _SessionPlugin | None = None
    try:
        import pytest

        plugin = _SessionPlugin(message, watch, answer, serve)
        # The session's test modules come from the strict loader, as in a fresh pytest run, and
        # each child's items are checked to be those modules' tests.
        strict = pytest_plugin(install_strict_tests(message["args"], raise_at_import=False))
        # Before pytest's own loop, which would run every item here in the worker.
        pytest.hookimpl(tryfirst=True)(vars(_SessionPlugin)["pytest_runtestloop"])
        watch.start()
        code = pytest.main(list(message["args"]), plugins=[plugin, plugin.recorder, strict])
        reason = f"pytest stopped before running tests (exit status {int(code)})"
    except BaseException as exc:  # a broken conftest or plugin must not end the worker
        reason = f"pytest failed to start: {type(exc).__name__}: {exc}"[:500]
    finally:
        watch.stop()
    if plugin is None or not plugin.answered:
        answer(_refusal(message, reason))


def _refusal(message: CollectRequest, reason: str) -> CollectAnswer:
    return {"id": message.get("id"), "ok": False, "reason": reason, "items": 0, "reexec": ""}


def run_request(request: RunRequest, out: int, coverage: Coverage | None) -> None:
    """One request in a forked child: the candidate swapped into the session, the wanted items
    run through pytest's protocol; a full pytest run when the swap cannot be faithful."""
    active = _ACTIVE
    text = request.get("overlay", {}).get(request.get("target", ""))
    install(request)  # modules the tests import lazily get the candidate from the overlay
    swap = "none"
    try:
        if active is None:
            raise Unfaithful("no collected session in this worker")
        if text is not None and active.plan is not None and text != active.plan.text:
            swap = active.plan.apply(text)
    except Unfaithful as why:
        emit(out, {"fallback": str(why)[:500], "swap": "full"})
        restore_slate()
        run_pytest(request, out, coverage)
        return
    emit(out, {"swap": swap})
    _run_items(active, request, out, coverage)


def _run_items(active: _Session, request: RunRequest, out: int, coverage: Coverage | None) -> None:
    session = active.session
    config = session.config
    items = rank_items(active.items, request.get("order", []), request.get("skip", []))
    plugin = active.recorder
    plugin.record = lambda result: emit(out, result)
    plugin.markers = lambda marker: emit(out, marker)
    plugin.coverage = coverage
    plugin.cut = request.get("test_timeout")
    if request.get("context"):
        # The baseline: a failure also reports what a debugger would show, and pytest's full
        # explanation (its `E` lines) with it.
        target = os.path.join(ROOT, request.get("target", ""))
        plugin.context = FailureContext(target, full=True)
    else:
        # A candidate's failure is the exception's message and line, never pytest's formatted
        # source listing, whose look-ups (every module's file, tokenizing the test) would cost
        # a failing candidate a tenth of a second.
        plugin.context = None
        config.option.tbstyle = "no"
    basetemp = _private_basetemp(config)
    try:
        for index, item in enumerate(items):
            following = items[index + 1] if index + 1 < len(items) else None
            config.hook.pytest_runtest_protocol(item=item, nextitem=following)
            if session.shouldfail or session.shouldstop:
                break  # the user's own -x or --maxfail, as pytest's loop honours them
            if plugin.failed and request.get("stop_on_fail"):
                break
    finally:
        if basetemp is not None:
            shutil.rmtree(basetemp, ignore_errors=True)


def _private_basetemp(config: Any) -> Path | None:
    """A base folder for `tmp_path` of this child only: children of both workers run at once,
    and pytest's numbered folders would leave one folder (and one lock) behind per child."""
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is None:
        return None
    path = Path(tempfile.gettempdir()) / f"fixloop-tmp-{os.getpid()}"
    factory._given_basetemp = path
    factory._basetemp = None
    return path
