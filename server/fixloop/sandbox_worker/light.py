"""The small test runner: plain pytest-style test functions, without pytest's start-up cost.

It imports the test modules, finds `test*` functions and methods of `Test*` classes, expands
`@pytest.mark.parametrize`, provides `tmp_path` and `monkeypatch`, and runs the wanted items in
the requested order (previously failing first), stopping at the first failure when asked. Tests
it cannot run faithfully (a conftest, other fixtures, unittest classes, async tests, unknown
marks) raise `NeedsPytest`, and the worker re-runs the request with pytest. When the request
asks for `context`, each test's printed output is captured and a failing test's record carries
it, its parameters and the target's locals. Standard library only (pytest is imported for
`monkeypatch` alone).
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from .context import FailureContext, OutputCapture
from .coverage import Coverage
from .errors import ROOT, error_info
from .limits import SoftTimeout, arm, disarm
from .overlay import install
from .protocol import ResultRecord, RunRequest, emit
from .strict import install as install_strict_tests

NATIVE_FIXTURES = {"tmp_path", "monkeypatch"}
KNOWN_MARKS = ("parametrize", "skip", "slow", "timeout")
# (node id, function, owning class, parameter values, native fixtures, skipped)
Item = tuple[str, Callable[..., Any], type | None, dict[str, Any], list[str], bool]


class NeedsPytest(Exception):
    """The small runner cannot run these tests faithfully; use pytest.main instead."""


def _parametrize(function: Callable[..., Any]) -> list[tuple[str, dict[str, Any]]]:
    marks = [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"]
    if not marks:
        return [("", {})]
    axes = []
    for mark in reversed(marks):
        names = mark.args[0]
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",") if n.strip()]
        axis = []
        for value in list(mark.args[1]):
            if hasattr(value, "values") and hasattr(value, "marks"):
                value = value.values if len(names) > 1 else value.values[0]
            if len(names) == 1:
                axis.append({names[0]: value})
            else:
                axis.append(dict(zip(names, value, strict=False)))
        axes.append(axis)
    cases = []
    for index, combo in enumerate(itertools.product(*axes)):
        merged: dict[str, Any] = {}
        for part in combo:
            merged.update(part)
        cases.append((f"[{index}]", merged))
    return cases


def _collect(files: list[str]) -> list[Item]:
    items: list[Item] = []
    for rel in files:
        path = os.path.join(ROOT, rel)
        directory = os.path.dirname(path)
        if os.path.exists(os.path.join(directory, "conftest.py")) or os.path.exists(
            os.path.join(ROOT, "conftest.py")
        ):
            raise NeedsPytest("conftest")
        if directory not in sys.path:
            sys.path.insert(0, directory)
        name = os.path.splitext(os.path.basename(path))[0]
        sys.modules.pop(name, None)
        module = importlib.import_module(name)
        for attr, obj in list(vars(module).items()):
            if attr.startswith("test") and inspect.isfunction(obj):
                items.extend(_function_items(rel, attr, obj, None))
            elif attr.startswith("Test") and inspect.isclass(obj):
                if "__init__" in vars(obj):
                    continue
                if any(base.__name__ == "TestCase" for base in obj.__mro__):
                    raise NeedsPytest("unittest")
                for method_name, method in vars(obj).items():
                    if method_name.startswith("test") and inspect.isfunction(method):
                        items.extend(_function_items(f"{rel}::{attr}", method_name, method, obj))
            elif (
                hasattr(obj, "_pytestfixturefunction")
                or type(obj).__name__ == "FixtureFunctionDefinition"
            ):
                raise NeedsPytest("fixture")
    return items


def _function_items(
    prefix: str, name: str, function: Callable[..., Any], owner: type | None
) -> Iterator[Item]:
    if inspect.iscoroutinefunction(function) or inspect.isgeneratorfunction(function):
        raise NeedsPytest("async or generator test")
    for mark in getattr(function, "pytestmark", []):
        if mark.name not in KNOWN_MARKS:
            raise NeedsPytest(mark.name)
    skip = any(m.name == "skip" for m in getattr(function, "pytestmark", []))
    parameters = list(inspect.signature(function).parameters)
    if owner is not None:
        parameters = parameters[1:]
    for suffix, values in _parametrize(function):
        extra = [p for p in parameters if p not in values]
        if any(p not in NATIVE_FIXTURES for p in extra):
            raise NeedsPytest("fixtures")
        yield (f"{prefix}::{name}{suffix}", function, owner, values, extra, skip)


def _call(
    function: Callable[..., Any], owner: type | None, values: dict[str, Any], extra: list[str]
) -> None:
    import tempfile

    kwargs = dict(values)
    cleanups = []
    for fixture in extra:
        if fixture == "tmp_path":
            import pathlib

            kwargs["tmp_path"] = pathlib.Path(tempfile.mkdtemp(prefix="fixloop-"))
        elif fixture == "monkeypatch":
            import pytest

            patcher = pytest.MonkeyPatch()
            kwargs["monkeypatch"] = patcher
            cleanups.append(patcher.undo)
    try:
        if owner is not None:
            instance = owner()
            if hasattr(instance, "setup_method"):
                instance.setup_method(function)
            function(instance, **kwargs)
        else:
            function(**kwargs)
    finally:
        for cleanup in cleanups:
            cleanup()


def _failure_record(node: str, exc: BaseException) -> ResultRecord:
    info = error_info(exc)
    line = None
    test_file = node.split("::")[0]
    for file, lineno, _ in info["frames"]:
        if file == test_file and isinstance(lineno, int):
            line = lineno
    message = f"{info['type']}: {info['message']}" if info["message"] else info["type"]
    return {"id": node, "outcome": "failed", "message": message[:2000], "line": line, "error": info}


def _selected(items: list[Item], wanted: list[str]) -> list[Item]:
    if not wanted:
        return items
    chosen = []
    for item in items:
        node = item[0]
        base = node.split("[")[0]
        for want in wanted:
            if node == want or base == want or node.startswith(want + "::"):
                chosen.append(item)
                break
    return chosen


def run_light(request: RunRequest, out: int, coverage: Coverage | None) -> None:
    install(request)
    install_strict_tests(request["tests"], raise_at_import=True, overlay=request.get("overlay"))
    files = sorted({n.split("::")[0] for n in request["tests"]})
    try:
        items = _collect(files)
    except NeedsPytest:
        raise
    except BaseException as exc:
        emit(
            out,
            {"id": "<collect>", "outcome": "failed", "collect": True, "error": error_info(exc)},
        )
        return
    wanted = [n for n in request["tests"] if "::" in n]
    chosen = _selected(items, wanted)
    if wanted and len({item[0].split("[")[0] for item in chosen}) < len(
        {w.split("[")[0] for w in wanted}
    ):
        raise NeedsPytest("node ids the small runner does not know (parametrized ids)")
    items = chosen
    rank = {node: index for index, node in enumerate(request.get("order") or [])}
    items.sort(key=lambda item: rank.get(item[0], len(rank)))
    if not request.get("context"):
        _run_items(request, items, out, coverage, None, None)
        return
    context = FailureContext(os.path.join(ROOT, request["target"]), full=True)
    capture = OutputCapture().start()
    try:
        _run_items(request, items, out, coverage, context, capture)
    finally:
        capture.stop()


def _run_items(
    request: RunRequest,
    items: list[Item],
    out: int,
    coverage: Coverage | None,
    context: FailureContext | None,
    capture: OutputCapture | None,
) -> None:
    skip_ids = set(request.get("skip", []))
    for node, function, owner, values, extra, skip in items:
        if node in skip_ids:
            continue
        if skip:
            emit(out, {"id": node, "outcome": "skipped"})
            continue
        emit(out, {"start": node})
        emit(out, {"call": node})
        began = time.perf_counter()
        if coverage:
            coverage.start()
        record: ResultRecord
        failure: BaseException | None = None
        try:
            arm(request.get("test_timeout"))
            try:
                _call(function, owner, values, extra)
            finally:
                disarm()
            record = {"id": node, "outcome": "passed"}
        except SoftTimeout as exc:
            record = {"id": node, "outcome": "timeout", "message": "timed out"}
            failure = exc
        except BaseException as exc:  # noqa: B036 - the user's code may raise anything
            if type(exc).__name__ in ("Skipped", "XFailed"):
                record = {"id": node, "outcome": "skipped"}
            else:
                record = _failure_record(node, exc)
                failure = exc
        output = capture.take() if capture is not None else ""
        if context is not None and failure is not None:
            context.add(record, tb=failure.__traceback__, output=output, params=values)
        if coverage:
            record["lines"] = coverage.stop()
        record["ms"] = int((time.perf_counter() - began) * 1000)
        emit(out, record)
        if request.get("stop_on_fail") and record["outcome"] in ("failed", "timeout"):
            return
