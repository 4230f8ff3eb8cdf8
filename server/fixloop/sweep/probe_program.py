"""The suite probe: run as `python -c PROGRAM PYTEST_ARGS...` inside the sandbox, in the project.

It runs pytest as `python -m pytest` would, with a small plugin that records, through pytest's
own hooks, each test's outcome and, for a failing one, the traceback frames of its exception
(file relative to the project, line, function). Collection errors are recorded apart. The last
line of stdout is one JSON object: `exit_code`, `collected`, `results`, `collect_errors`,
`pytest_missing`. The sweep reads that line, never pytest's text. Standard library plus pytest,
Python 3.10+, nothing of fixloop: the sandbox's interpreter may have nothing else installed.
"""

import json
import os
import sys
import traceback

ROOT = os.path.realpath(os.getcwd())
MESSAGE_LIMIT = 2000
FRAME_LIMIT = 40


def _inside_project(filename):
    path = os.path.realpath(filename)
    return path == ROOT or path.startswith(ROOT + os.sep)


def _frames(tb):
    """(file relative to the project, line, function) for the frames in the project, innermost last."""
    found = []
    for entry in traceback.extract_tb(tb):
        if entry.filename.startswith("<") or not _inside_project(entry.filename):
            continue
        relative = os.path.relpath(os.path.realpath(entry.filename), ROOT).replace(os.sep, "/")
        found.append([relative, entry.lineno or 0, entry.name])
    return found[-FRAME_LIMIT:]


def _message(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    return text[:MESSAGE_LIMIT]


def _recorder(pytest):
    """The plugin: test and collection reports, and each failure's frames, as plain records."""

    class Recorder:
        def __init__(self):
            self.results = []
            self.collect_errors = []
            self.collected = 0

        def pytest_collection_modifyitems(self, session, config, items):
            self.collected = len(items)

        def pytest_collectreport(self, report):
            if report.failed:
                self.collect_errors.append(
                    {"nodeid": report.nodeid, "message": str(report.longrepr)[-MESSAGE_LIMIT:]}
                )

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_makereport(self, item, call):
            outcome = yield
            report = outcome.get_result()
            if report.failed:
                frames = _frames(call.excinfo.tb) if call.excinfo is not None else []
                self.results.append(
                    {
                        "nodeid": report.nodeid,
                        "outcome": "failed",
                        "when": report.when,
                        "message": _message(report),
                        "frames": frames,
                    }
                )
            elif report.when == "call" or report.skipped:
                word = "skipped" if report.skipped else "passed"
                self.results.append({"nodeid": report.nodeid, "outcome": word})

    return Recorder()


def main(args):
    try:
        import pytest
    except ImportError:
        return {
            "exit_code": 4,
            "collected": 0,
            "results": [],
            "collect_errors": [],
            "pytest_missing": True,
        }
    recorder = _recorder(pytest)
    code = pytest.main(list(args), plugins=[recorder])
    return {
        "exit_code": int(code),
        "collected": recorder.collected,
        "results": recorder.results,
        "collect_errors": recorder.collect_errors,
        "pytest_missing": False,
    }


if __name__ == "__main__":
    # pytest's own report goes to stderr, so stdout carries the answer alone.
    sys.stdout.flush()
    answer_fd = os.dup(1)
    os.dup2(2, 1)
    answer = main(sys.argv[1:])
    sys.stdout.flush()
    with os.fdopen(answer_fd, "w", encoding="utf-8") as answer_out:
        answer_out.write(json.dumps(answer) + "\n")
