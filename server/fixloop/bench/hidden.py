"""Run a corpus case's checks on one version of its target, in a private temporary copy.

The hidden checks are what the repair search never sees; the bench and its CI gate run them on
a verified fix to tell a correct fix from a wrong one, and the corpora's integrity tests run
them (and the case's own oracle) on the intended and the listed wrong fixes. Every run is a
plain subprocess (this interpreter, `python -m pytest` or the case's script) in a fresh
temporary folder, in its own session so that a timeout kills the whole tree, with only pytest
and the standard library in play: plugins of the development environment stay out.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from fixloop.bench.corpora import Case, Corpus

# Only pytest and the standard library: plugins of the development environment stay out, which
# also keeps pytest's start-up short.
BASE_ENV = {
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": os.environ.get("HOME", "/tmp"),
    "LANG": "C.UTF-8",
}
OUTPUT_TAIL = 3000


class Outcome(Enum):
    PASSED = "passed"
    FAILED = "failed"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class Run:
    outcome: Outcome
    output: str  # the tail of stdout and stderr, for an assertion message or a report

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED


def execute(argv: list[str], cwd: Path, env: dict[str, str], limit: float) -> Run:
    """Run `argv` in its own session; past `limit` seconds the whole tree is killed."""
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return Run(Outcome.TIMEOUT, output.decode(errors="replace")[-OUTPUT_TAIL:])
    text = output.decode(errors="replace")[-OUTPUT_TAIL:]
    return Run(Outcome.PASSED if process.returncode == 0 else Outcome.FAILED, text)


def pytest_argv(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]


def copy_project(case: Case, source: str, into: Path) -> Path:
    """A copy of the case's project root under `into`, with `source` as its target file."""
    root = into / "project"
    shutil.copytree(case.root, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / case.target).write_text(source, encoding="utf-8")
    return root


def run_hidden(case: Case, source: str, limit: float) -> Run:
    """The checks the search never sees, run beside `source` as the case's target."""
    env = dict(BASE_ENV)
    with tempfile.TemporaryDirectory(prefix="fixloop-hidden-") as scratch:
        if case.corpus is Corpus.CASES:
            # A one-file case: the hidden file imports (or runs) prog.py from its own folder.
            root = Path(scratch)
            (root / "prog.py").write_text(source, encoding="utf-8")
            for check in case.hidden:
                shutil.copy(check, root / check.name)
            argv = pytest_argv([check.name for check in case.hidden])
        else:
            # A project: hidden/ goes into the fixed copy, with the project's root (and src/)
            # on sys.path and the project's own configuration and root conftest in force.
            root = copy_project(case, source, Path(scratch))
            shutil.copytree(case.hidden[0].parent, root / "hidden")
            paths = [str(root)] + ([str(root / "src")] if (root / "src").is_dir() else [])
            env["PYTHONPATH"] = os.pathsep.join(paths)
            argv = pytest_argv(["--rootdir", str(root), "hidden"])
        return execute(argv, root, env, limit)
