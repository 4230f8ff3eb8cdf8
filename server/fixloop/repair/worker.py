"""The warm validation worker: a stand-alone script that runs *inside* the sandbox.

The loop starts it once per repair with `python -c <this file's text>` (so nothing is written to
the user's workspace), sends JSON requests on stdin and reads one JSON line per request from the
original stdout. For each request the worker forks a child that installs the candidate text as an
import overlay, runs the oracle (a script as `__main__`, or the tests with a small in-process
runner, or `pytest.main` when the tests need what the small runner lacks), streams one line per
test back through a pipe, and exits. The parent enforces a wall-clock limit per child and kills the
child's whole process group when it runs away, so a hanging candidate costs one timeout. With
`--once` the same code serves a single request from stdin without forking: that is the fresh
process fallback. This file imports only the standard library (and pytest when tests need it).
"""

import gc
import importlib
import importlib.abc
import importlib.machinery
import inspect
import itertools
import json
import os
import select
import signal
import sys
import time
import traceback
import types

ROOT = os.getcwd()
sys.dont_write_bytecode = True
_PROTOCOL = None
_NATIVE_FIXTURES = {"tmp_path", "monkeypatch"}
_PENDING: list = []  # finished children not reaped yet


class _SoftTimeout(BaseException):
    """Raised inside a test that ran past its limit, so its coverage is still reported."""


def _on_alarm(signum, frame):
    raise _SoftTimeout()


def _arm(seconds):
    if seconds:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, float(seconds))


def _disarm():
    signal.setitimer(signal.ITIMER_REAL, 0)


def _rel(path):
    try:
        relative = os.path.relpath(path, ROOT)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


class _OverlayFinder(importlib.abc.MetaPathFinder):
    """Serves overlaid files (absolute path -> text) in place of the files on disk."""

    def __init__(self, overlay):
        self.overlay = overlay

    def find_spec(self, fullname, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin not in self.overlay:
            return None
        origin = str(spec.origin)
        text = self.overlay[origin]

        class _Loader(importlib.machinery.SourceFileLoader):
            def get_code(self, name):
                return compile(text, origin, "exec", dont_inherit=True)

        spec.loader = _Loader(fullname, origin)
        return spec


class _Coverage:
    """Lines of the target executed by one test. Tracing stops for code that has stopped
    revealing new lines (hot loops, functions called thousands of times), which keeps a
    test that runs for seconds from running for minutes under the tracer."""

    def __init__(self, target):
        self.target = target
        self.lines = set()
        self.calls = {}
        self.seen_at = {}
        self.saturated = set()
        self.quiet = 0

    def global_trace(self, frame, event, arg):
        code = frame.f_code
        if code.co_filename != self.target or code in self.saturated:
            return None
        calls = self.calls.get(code, 0) + 1
        self.calls[code] = calls
        if calls % 200 == 0:
            if self.seen_at.get(code) == len(self.lines):
                self.saturated.add(code)
                return None
            self.seen_at[code] = len(self.lines)
        self._add(frame.f_lineno)
        return self.local_trace

    def _add(self, line):
        if line not in self.lines:
            self.lines.add(line)
            self.quiet = 0

    def local_trace(self, frame, event, arg):
        if event == "line":
            self._add(frame.f_lineno)
            self.quiet += 1
            if self.quiet > 20000:
                frame.f_trace_lines = False
        return self.local_trace

    def start(self):
        self.lines = set()
        self.calls, self.seen_at, self.saturated, self.quiet = {}, {}, set(), 0
        sys.settrace(self.global_trace)

    def stop(self):
        sys.settrace(None)
        return sorted(self.lines)


def _error_info(exc):
    frames = []
    for entry in traceback.extract_tb(exc.__traceback__):
        if entry.filename == "<string>":
            continue  # the worker's own frames
        frames.append([_rel(entry.filename), entry.lineno, entry.name])
    if isinstance(exc, SyntaxError) and exc.filename:
        frames.append([_rel(exc.filename), exc.lineno or 0, "<module>"])
    message = str(exc)
    if isinstance(exc, SyntaxError):
        message = exc.msg or message
    return {"type": type(exc).__name__, "message": message[:2000], "frames": frames[-30:]}


def _emit(out, record):
    data = (json.dumps(record) + "\n").encode()
    view = memoryview(data)
    while view:
        written = os.write(out, view)
        view = view[written:]


def _install(request):
    overlay = {os.path.join(ROOT, rel): text for rel, text in request.get("overlay", {}).items()}
    if overlay:
        sys.meta_path.insert(0, _OverlayFinder(overlay))
    return overlay


def _run_script(request, out, coverage):
    target = os.path.join(ROOT, request["target"])
    overlay = _install(request)
    if target in overlay:
        text = overlay[target]
    else:
        with open(target, encoding="utf-8") as handle:
            text = handle.read()
    sys.argv = [target, *request.get("args", [])]
    sys.path.insert(0, os.path.dirname(target))
    module = types.ModuleType("__main__")
    module.__file__ = target
    module.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = module
    _emit(out, {"start": "script"})
    record: dict[str, object] = {"id": "script", "outcome": "passed"}
    if coverage:
        coverage.start()
    began = time.perf_counter()
    try:
        _arm(request.get("test_timeout"))
        try:
            exec(compile(text, target, "exec", dont_inherit=True), module.__dict__)
        finally:
            _disarm()
    except _SoftTimeout:
        record = {"id": "script", "outcome": "timeout", "message": "timed out"}
    except SystemExit as exc:
        if exc.code not in (None, 0):
            record = {"id": "script", "outcome": "failed", "exit": str(exc.code)[:200]}
    except BaseException as exc:  # the user's code may raise anything
        record = {"id": "script", "outcome": "failed", "error": _error_info(exc)}
    # The loop sizes each candidate's time limit from this; without it a script that takes a
    # second before failing got a 0.25 s limit and every candidate "timed out".
    record["ms"] = int((time.perf_counter() - began) * 1000)
    if coverage:
        record["lines"] = coverage.stop()
    _emit(out, record)


def _parametrize(function):
    marks = [m for m in getattr(function, "pytestmark", []) if m.name == "parametrize"]
    if not marks:
        return [("", {})]
    axes = []
    for mark in reversed(marks):
        names = mark.args[0]
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",") if n.strip()]
        values = list(mark.args[1])
        axis = []
        for value in values:
            if hasattr(value, "values") and hasattr(value, "marks"):
                value = value.values if len(names) > 1 else value.values[0]
            if len(names) == 1:
                axis.append({names[0]: value})
            else:
                axis.append(dict(zip(names, value, strict=False)))
        axes.append(axis)
    cases = []
    for index, combo in enumerate(itertools.product(*axes)):
        merged = {}
        for part in combo:
            merged.update(part)
        cases.append((f"[{index}]", merged))
    return cases


class _NeedsPytest(Exception):
    """The small runner cannot run these tests faithfully; use pytest.main instead."""


def _collect_light(files):
    items = []
    for rel in files:
        path = os.path.join(ROOT, rel)
        directory = os.path.dirname(path)
        if os.path.exists(os.path.join(directory, "conftest.py")) or os.path.exists(
            os.path.join(ROOT, "conftest.py")
        ):
            raise _NeedsPytest("conftest")
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
                    raise _NeedsPytest("unittest")
                for method_name, method in vars(obj).items():
                    if method_name.startswith("test") and inspect.isfunction(method):
                        items.extend(_function_items(f"{rel}::{attr}", method_name, method, obj))
            elif (
                hasattr(obj, "_pytestfixturefunction")
                or type(obj).__name__ == "FixtureFunctionDefinition"
            ):
                raise _NeedsPytest("fixture")
    return items


def _function_items(prefix, name, function, owner):
    if inspect.iscoroutinefunction(function) or inspect.isgeneratorfunction(function):
        raise _NeedsPytest("async or generator test")
    for mark in getattr(function, "pytestmark", []):
        if mark.name not in ("parametrize", "skip", "slow", "timeout"):
            raise _NeedsPytest(mark.name)
    skip = any(m.name == "skip" for m in getattr(function, "pytestmark", []))
    parameters = list(inspect.signature(function).parameters)
    if owner is not None:
        parameters = parameters[1:]
    for suffix, values in _parametrize(function):
        extra = [p for p in parameters if p not in values]
        if any(p not in _NATIVE_FIXTURES for p in extra):
            raise _NeedsPytest("fixtures")
        yield (f"{prefix}::{name}{suffix}", function, owner, values, extra, skip)


def _call_light(function, owner, values, extra):
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


def _failure_record(node, exc, target):
    info = _error_info(exc)
    line = None
    test_file = node.split("::")[0]
    for file, lineno, _ in info["frames"]:
        if file == test_file:
            line = lineno
    message = f"{info['type']}: {info['message']}" if info["message"] else info["type"]
    return {"id": node, "outcome": "failed", "message": message[:2000], "line": line, "error": info}


def _selected(items, wanted):
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


def _run_light(request, out, coverage):
    _install(request)
    files = sorted({n.split("::")[0] for n in request["tests"]})
    try:
        items = _collect_light(files)
    except _NeedsPytest:
        raise
    except BaseException as exc:
        _emit(
            out,
            {"id": "<collect>", "outcome": "failed", "collect": True, "error": _error_info(exc)},
        )
        return
    wanted = [n for n in request["tests"] if "::" in n]
    chosen = _selected(items, wanted)
    if wanted and len({item[0].split("[")[0] for item in chosen}) < len(
        {w.split("[")[0] for w in wanted}
    ):
        raise _NeedsPytest("node ids the small runner does not know (parametrized ids)")
    items = chosen
    order = request.get("order") or []
    rank = {node: index for index, node in enumerate(order)}
    items.sort(key=lambda item: rank.get(item[0], len(rank)))
    skip_ids = set(request.get("skip", []))
    for node, function, owner, values, extra, skip in items:
        if node in skip_ids:
            continue
        if skip:
            _emit(out, {"id": node, "outcome": "skipped"})
            continue
        _emit(out, {"start": node})
        began = time.perf_counter()
        if coverage:
            coverage.start()
        try:
            _arm(request.get("test_timeout"))
            try:
                _call_light(function, owner, values, extra)
            finally:
                _disarm()
            record = {"id": node, "outcome": "passed"}
        except _SoftTimeout:
            record = {"id": node, "outcome": "timeout", "message": "timed out"}
        except BaseException as exc:  # noqa: B036 - the user's code may raise anything
            if type(exc).__name__ in ("Skipped", "XFailed"):
                record = {"id": node, "outcome": "skipped"}
            else:
                record = _failure_record(node, exc, request.get("target"))
        if coverage:
            record["lines"] = coverage.stop()
        record["ms"] = int((time.perf_counter() - began) * 1000)
        _emit(out, record)
        if request.get("stop_on_fail") and record["outcome"] in ("failed", "timeout"):
            return


def _run_pytest(request, out, coverage):
    import pytest

    _install(request)
    skip_ids = set(request.get("skip", []))

    class _Recorder:
        def __init__(self):
            self.lines = []

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_call(self, item):
            if coverage:
                coverage.start()
            yield
            if coverage:
                self.lines = coverage.stop()

        def pytest_runtest_logstart(self, nodeid, location):
            _emit(out, {"start": nodeid})

        def pytest_collection_modifyitems(self, session, config, items):
            items[:] = [item for item in items if item.nodeid not in skip_ids]

        def pytest_collectreport(self, report):
            if report.failed:
                text = str(report.longrepr)[-2000:]
                _emit(
                    out,
                    {
                        "id": "<collect>",
                        "outcome": "failed",
                        "collect": True,
                        "error": {"type": "CollectionError", "message": text, "frames": []},
                    },
                )

        def pytest_runtest_logreport(self, report):
            if report.when == "call" or report.failed or report.skipped:
                if report.when != "call" and not report.failed and not report.skipped:
                    return
                outcome = "passed" if report.passed else "skipped" if report.skipped else "failed"
                record = {"id": report.nodeid, "outcome": outcome}
                if report.failed:
                    crash = getattr(report.longrepr, "reprcrash", None)
                    record["message"] = (crash.message if crash else str(report.longrepr))[:2000]
                    record["line"] = _failure_line(report)
                if coverage:
                    record["lines"] = self.lines
                    self.lines = []
                _emit(out, record)

    args = ["-q", "-p", "no:cacheprovider", "--no-header", "--rootdir", ROOT]
    if request.get("stop_on_fail"):
        args.append("-x")
    pytest.main([*args, *request["tests"]], plugins=[_Recorder()])


def _failure_line(report):
    test_file = os.path.basename(report.nodeid.split("::")[0])
    line = report.location[1] + 1 if report.location[1] is not None else None
    entries = getattr(getattr(report.longrepr, "reprtraceback", None), "reprentries", None) or []
    for entry in entries:
        location = getattr(entry, "reprfileloc", None)
        if location is not None and os.path.basename(str(location.path)) == test_file:
            line = location.lineno
    return line


def _child(request, out):
    os.setpgid(0, 0)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    if not request.get("keep_output"):
        os.dup2(null, 1)
        os.dup2(null, 2)
    try:
        _limit_memory(request.get("memory_mb"))
        _dispatch(request, out)
    except BaseException as exc:  # report, never hang
        _emit(out, {"id": "<worker>", "outcome": "failed", "error": _error_info(exc)})
    _emit(out, {"done": True})


def _dispatch(request, out):
    target = request.get("target")
    coverage = _Coverage(os.path.join(ROOT, target)) if request.get("coverage") and target else None
    if request["kind"] == "script":
        _run_script(request, out, coverage)
    elif request.get("runner") == "pytest":
        _run_pytest(request, out, coverage)
    else:
        try:
            _run_light(request, out, coverage)
        except _NeedsPytest as why:
            _emit(out, {"needs_pytest": str(why)})


def _limit_memory(megabytes):
    if not megabytes:
        return
    import resource

    limit = int(megabytes) * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass


def _read_records(fd, pid, deadline):
    """Read JSON lines from a child until it says done, exits, or the deadline passes."""
    records, buffer, timed_out = [], b"", False
    _reap()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if line:
                records.append(json.loads(line))
        if records and records[-1].get("done"):
            # Finished: kill leftovers now, reap later, so teardown stays off the critical path.
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            _PENDING.append(pid)
            return records[:-1], False, 0
    if timed_out:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status = os.waitpid(pid, 0)
    return records, timed_out, status


def _reap():
    for pid in list(_PENDING):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG if len(_PENDING) < 16 else 0)
        except ChildProcessError:
            done = pid
        if done:
            _PENDING.remove(pid)


_SPARE: list = []  # one child forked ahead of time, waiting for its request


def _spawn():
    """Fork a child that waits for one request on a pipe, so the fork is off the critical path."""
    request_read, request_write = os.pipe()
    result_read, result_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        # Collections would touch (and so copy) every page shared with the parent.
        gc.disable()
        os.close(request_write)
        os.close(result_read)
        chunks = []
        while True:
            chunk = os.read(request_read, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        try:
            if chunks:
                _child(json.loads(b"".join(chunks)), result_write)
        finally:
            os._exit(0)
    os.close(request_read)
    os.close(result_write)
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass  # the child already did it, or already exited
    return pid, request_write, result_read


def _prepare_spare():
    if not _SPARE:
        _SPARE.append(_spawn())


def _drop_spare():
    while _SPARE:
        pid, request_write, result_read = _SPARE.pop()
        os.close(request_write)
        os.close(result_read)
        os.waitpid(pid, 0)


def _fork_run(request, timeout):
    pid, request_write, result_read = _SPARE.pop() if _SPARE else _spawn()
    payload = json.dumps(request).encode()
    view = memoryview(payload)
    while view:
        view = view[os.write(request_write, view) :]
    os.close(request_write)
    records, timed_out, status = _read_records(result_read, pid, time.monotonic() + timeout)
    os.close(result_read)
    return records, timed_out, status


def _serve(request, fork):
    started = time.monotonic()
    timeout = float(request.get("timeout", 10.0))
    results, skip = [], list(request.get("skip", []))
    note = ""
    while True:
        attempt = dict(request, skip=skip)
        if fork:
            records, timed_out, status = _fork_run(attempt, timeout)
        else:
            records, timed_out, status = _inline_run(attempt), False, 0
        if any("needs_pytest" in r for r in records) and request.get("runner") != "pytest":
            request = dict(request, runner="pytest")
            note = "pytest"
            continue
        running = None
        for record in records:
            if "start" in record:
                running = record["start"]
            elif "id" in record:
                results.append(record)
                if record["id"] == running:
                    running = None
        if running is None and (timed_out or not records):
            running = "<worker>"  # died or hung before it started any test
        if running is None:
            if status and os.WIFSIGNALED(status) and not timed_out:
                results.append(
                    {
                        "id": "<worker>",
                        "outcome": "failed",
                        "error": {
                            "type": "Crash",
                            "message": f"signal {os.WTERMSIG(status)}",
                            "frames": [],
                        },
                    }
                )
            break
        results.append(
            {
                "id": running,
                "outcome": "timeout" if timed_out else "failed",
                "message": "timed out" if timed_out else "crashed",
            }
        )
        if (
            request.get("stop_on_fail")
            or not request.get("isolate_hangs")
            or running in ("script", "<worker>")
        ):
            break
        skip = skip + [r["id"] for r in results]
    return {
        "id": request.get("id"),
        "results": results,
        "runner": note or request.get("runner", "light"),
        "duration_ms": int((time.monotonic() - started) * 1000),
    }


def _inline_run(request):
    read_fd, write_fd = os.pipe()
    # A fresh process needs no fork: write records to a pipe we drain afterwards.
    import threading

    chunks = []

    def drain():
        while True:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        _dispatch(request, write_fd)
    finally:
        os.close(write_fd)
        reader.join()
        os.close(read_fd)
    return [json.loads(line) for line in b"".join(chunks).split(b"\n") if line]


def _warm(modules):
    for name in modules:
        try:
            importlib.import_module(name)
        except BaseException:  # a module that fails to import is simply not warmed
            pass
    gc.collect()
    gc.freeze()  # keep the warm objects out of every child's collections


def main():
    global _PROTOCOL
    protocol = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)  # stray prints must never corrupt the protocol stream
    if "--once" in sys.argv:
        request = json.loads(sys.stdin.read())
        _warm(request.get("warm", []))
        if request.get("runner") != "pytest":
            request = dict(request, runner=request.get("runner", "light"))
        _emit(protocol, _serve(request, fork=False))
        return
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if request.get("op") == "warm":
            _drop_spare()  # the spare predates these imports
            _warm(request.get("modules", []))
            _emit(protocol, {"id": request.get("id"), "ok": True})
            _prepare_spare()
            continue
        _emit(protocol, _serve(request, fork=True))
        _prepare_spare()
    _drop_spare()


if __name__ == "__main__":
    main()
