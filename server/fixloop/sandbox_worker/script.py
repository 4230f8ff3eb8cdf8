"""The script runner: run the target file as `__main__`, as `python target args...` would.

One record named "script": passed, failed (with the exception, or a non-zero SystemExit code)
or timeout, with its duration, which the loop uses to size each candidate's time limit, and its
footprint: what it printed on standard output and, when the request asks for `footprint`, how
often each line of the target ran (see `footprint.py`; line coverage for fault localisation
takes the tracer instead when both are asked). When the request asks for `context`, everything
the script printed is also captured for the failure's context, and a failed record carries it
with the target's locals at the failure. Standard library only.
"""

from __future__ import annotations

import os
import sys
import time
import types

from .context import FailureContext, OutputCapture
from .coverage import Coverage
from .errors import ROOT, error_info
from .footprint import LineCounter, StdoutCapture
from .limits import SoftTimeout, arm, disarm
from .overlay import install
from .protocol import ResultRecord, RunRequest, emit


def run_script(request: RunRequest, out: int, coverage: Coverage | None) -> None:
    target = os.path.join(ROOT, request["target"])
    overlay = install(request)
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
    emit(out, {"start": "script"})
    record: ResultRecord = {"id": "script", "outcome": "passed"}
    context = FailureContext(target, full=True) if request.get("context") else None
    # The context's capture (descriptors 1 and 2) goes around the footprint's (descriptor 1),
    # which passes stdout on to it.
    output_capture = OutputCapture().start() if context else None
    failure: BaseException | None = None
    counter = LineCounter(target) if request.get("footprint") and not coverage else None
    capture = StdoutCapture(tee=context is not None)
    capture.start()
    if coverage:
        coverage.start()
    elif counter:
        counter.start()
    began = time.perf_counter()
    try:
        arm(request.get("test_timeout"))
        try:
            exec(compile(text, target, "exec", dont_inherit=True), module.__dict__)
        finally:
            disarm()
    except SoftTimeout as exc:
        record = {"id": "script", "outcome": "timeout", "message": "timed out"}
        failure = exc
    except SystemExit as exc:
        if exc.code not in (None, 0):
            record = {"id": "script", "outcome": "failed", "exit": str(exc.code)[:200]}
            failure = exc
    except BaseException as exc:  # the user's code may raise anything
        record = {"id": "script", "outcome": "failed", "error": error_info(exc)}
        failure = exc
    # The loop sizes each candidate's time limit from this; without it a script that takes a
    # second before failing got a 0.25 s limit and every candidate "timed out".
    record["ms"] = int((time.perf_counter() - began) * 1000)
    if coverage:
        record["lines"] = coverage.stop()
    elif counter:
        record["hits"] = counter.stop()
        record["hits_complete"] = counter.complete
    record["stdout"], record["stdout_bytes"] = capture.stop()
    output = output_capture.stop() if output_capture is not None else ""
    if context is not None and record["outcome"] != "passed":
        context.add(record, tb=failure.__traceback__ if failure else None, output=output)
    emit(out, record)
