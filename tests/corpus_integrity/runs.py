"""Run a case's oracle and its hidden checks on one version of the target, in a private copy.

Every run is a plain subprocess (the interpreter running these tests, `python -m pytest` or the
script) in a fresh temporary folder, in its own session so that a timeout kills the whole tree.
A case flagged `hangs` gets a short cut on the runs of versions that keep the bug (the original,
and all faults fixed but one), so a buggy version that loops forever costs about two seconds;
every other run gets a generous limit, so that a loaded machine slows the suite down instead of
turning a slow pass into a failure.
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

from .cases import Case, Corpus, Edit, apply_edits

HANG_CUT = 2.0
RUN_LIMIT = 90.0
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


class Outcome(Enum):
    PASSED = "passed"
    FAILED = "failed"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class Run:
    outcome: Outcome
    output: str  # the tail of stdout and stderr, for the assertion message

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED


def _execute(argv: list[str], cwd: Path, env: dict[str, str], limit: float) -> Run:
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
        return Run(Outcome.TIMEOUT, output.decode(errors="replace")[-3000:])
    text = output.decode(errors="replace")[-3000:]
    return Run(Outcome.PASSED if process.returncode == 0 else Outcome.FAILED, text)


def _pytest(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]


def _copy_project(case: Case, source: str, into: Path) -> Path:
    root = into / "project"
    shutil.copytree(case.root, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / case.target).write_text(source, encoding="utf-8")
    return root


def run_oracle(case: Case, edits: tuple[Edit, ...], limit: float) -> Run:
    """The check the search sees: the case's tests, or its script, on the edited target."""
    source = apply_edits(case.source(), edits)
    with tempfile.TemporaryDirectory(prefix="fixloop-corpus-") as scratch:
        root = _copy_project(case, source, Path(scratch))
        if case.tests:
            argv = _pytest(list(case.tests))
        else:
            assert case.script is not None
            argv = [sys.executable, case.script]
        return _execute(argv, root, dict(BASE_ENV), limit)


def run_hidden(case: Case, edits: tuple[Edit, ...], limit: float) -> Run:
    """The checks the search never sees, run beside the edited target."""
    source = apply_edits(case.source(), edits)
    env = dict(BASE_ENV)
    with tempfile.TemporaryDirectory(prefix="fixloop-hidden-") as scratch:
        if case.corpus is Corpus.CASES:
            # A one-file case: the hidden file imports (or runs) prog.py from its own folder.
            root = Path(scratch)
            (root / "prog.py").write_text(source, encoding="utf-8")
            for check in case.hidden:
                shutil.copy(check, root / check.name)
            argv = _pytest([check.name for check in case.hidden])
        else:
            # A project: hidden/ goes into the fixed copy, with the project's root (and src/)
            # on sys.path and the project's own configuration and root conftest in force.
            root = _copy_project(case, source, Path(scratch))
            shutil.copytree(case.hidden[0].parent, root / "hidden")
            paths = [str(root)] + ([str(root / "src")] if (root / "src").is_dir() else [])
            env["PYTHONPATH"] = os.pathsep.join(paths)
            argv = _pytest(["--rootdir", str(root), "hidden"])
        return _execute(argv, root, env, limit)


@dataclass(frozen=True)
class WrongVerdict:
    edit: Edit
    oracle: Run
    hidden: Run


@dataclass(frozen=True)
class Verdict:
    """Every run the integrity tests look at, for one case."""

    original_oracle: Run
    fixed_oracle: Run
    fixed_hidden: Run
    original_hidden: Run
    wrong: tuple[WrongVerdict, ...]
    # For a case with several faults: the oracle with every intended edit but one.
    all_but_one: tuple[Run, ...]


def judge(case: Case) -> Verdict:
    # Only the versions that keep a hanging bug get the short cut: a wrong fix must really fail
    # a hidden check, not merely be slow on a loaded machine.
    expect_fail_limit = HANG_CUT if case.hangs else RUN_LIMIT
    wrong = tuple(
        WrongVerdict(
            edit, run_oracle(case, (edit,), RUN_LIMIT), run_hidden(case, (edit,), RUN_LIMIT)
        )
        for edit in case.wrong
    )
    all_but_one = tuple(
        run_oracle(case, case.intended[:index] + case.intended[index + 1 :], expect_fail_limit)
        for index in range(len(case.intended))
        if len(case.intended) > 1
    )
    return Verdict(
        original_oracle=run_oracle(case, (), expect_fail_limit),
        fixed_oracle=run_oracle(case, case.intended, RUN_LIMIT),
        fixed_hidden=run_hidden(case, case.intended, RUN_LIMIT),
        original_hidden=run_hidden(case, (), expect_fail_limit),
        wrong=wrong,
        all_but_one=all_but_one,
    )
