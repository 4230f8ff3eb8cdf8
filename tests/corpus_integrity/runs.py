"""Run a case's oracle and its hidden checks on one version of the target, in a private copy.

The subprocess runs themselves are `fixloop.bench.hidden`'s (shared with the repair bench).
A case flagged `hangs` gets a short cut on the runs of versions that keep the bug (the original,
and all faults fixed but one), so a buggy version that loops forever costs about two seconds;
every other run gets a generous limit, so that a loaded machine slows the suite down instead of
turning a slow pass into a failure.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fixloop.bench.corpora import Case, Edit, apply_edits
from fixloop.bench.hidden import BASE_ENV, Outcome, Run, copy_project, execute, pytest_argv
from fixloop.bench.hidden import run_hidden as run_hidden_on

__all__ = ["Outcome", "Run", "Verdict", "judge", "run_hidden", "run_oracle"]

HANG_CUT = 2.0
RUN_LIMIT = 90.0


def run_oracle(case: Case, edits: tuple[Edit, ...], limit: float) -> Run:
    """The check the search sees: the case's tests, or its script, on the edited target."""
    source = apply_edits(case.source(), edits)
    with tempfile.TemporaryDirectory(prefix="fixloop-corpus-") as scratch:
        root = copy_project(case, source, Path(scratch))
        if case.tests:
            argv = pytest_argv(list(case.tests))
        else:
            assert case.script is not None
            argv = [sys.executable, case.script]
        return execute(argv, root, dict(BASE_ENV), limit)


def run_hidden(case: Case, edits: tuple[Edit, ...], limit: float) -> Run:
    """The checks the search never sees, run beside the edited target."""
    return run_hidden_on(case, apply_edits(case.source(), edits), limit)


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
