"""Tests of the repair corpora themselves: every case is a real bug with a fix that the checks prove.

For each case of `tests/corpus` and `tests/corpus-projects`, in temporary copies and with plain
subprocesses: the buggy version fails its oracle (its tests, or its script), the intended fix
passes the oracle and the hidden checks, the buggy version fails the hidden checks too, and every
listed wrong fix passes the oracle (that is what makes it a trap) yet fails a hidden check; in a
case with several faults, fixing all but one still fails the oracle. The runs are slow, so they are marked `slow` and computed for the selected cases by a small pool in
the background while the first assertions wait. The layout rules (metadata fields, hidden files,
unique replace texts, standard-library-only projects) are fast and run always.
"""

from __future__ import annotations

import ast
import json
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from fixloop.bench.corpora import (
    CORPUS,
    PROJECTS,
    Case,
    Corpus,
    all_cases,
    apply_edits,
    project_case,
    project_folders,
)

from .runs import Outcome, Verdict, judge

CASES = all_cases()
BY_ID = {case.id: case for case in CASES}
POOL_SIZE = max(2, min(4, (os.cpu_count() or 2) + 1))


def _case_params() -> list[object]:
    return [pytest.param(case, id=case.id) for case in CASES]


@pytest.fixture(scope="session")
def verdicts(request: pytest.FixtureRequest) -> Iterator[dict[str, Future[Verdict]]]:
    """Verdicts for every case that this session's slow tests ask about, computed in parallel."""
    wanted: list[str] = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "verdicts" in getattr(item, "fixturenames", ()):
            case = callspec.params.get("case")
            if isinstance(case, Case) and case.id not in wanted:
                wanted.append(case.id)
    with ThreadPoolExecutor(max_workers=POOL_SIZE) as pool:
        futures = {name: pool.submit(judge, BY_ID[name]) for name in wanted}
        yield futures
        for future in futures.values():
            future.cancel()


def _verdict(verdicts: dict[str, Future[Verdict]], case: Case) -> Verdict:
    return verdicts[case.id].result()


# ---- the runs (slow) -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("case", _case_params())
def test_original_fails_its_oracle(case: Case, verdicts: dict[str, Future[Verdict]]) -> None:
    run = _verdict(verdicts, case).original_oracle
    assert not run.passed, f"the buggy version passes its oracle:\n{run.output}"
    if case.hangs:
        assert run.outcome is Outcome.TIMEOUT, f"flagged hangs but ended:\n{run.output}"
    else:
        assert run.outcome is Outcome.FAILED, "the buggy version ran out of time; flag it hangs"


@pytest.mark.slow
@pytest.mark.parametrize("case", _case_params())
def test_intended_fix_passes_its_oracle(case: Case, verdicts: dict[str, Future[Verdict]]) -> None:
    run = _verdict(verdicts, case).fixed_oracle
    assert run.passed, f"the intended fix does not pass the oracle:\n{run.output}"


@pytest.mark.slow
@pytest.mark.parametrize("case", _case_params())
def test_intended_fix_passes_the_hidden_checks(
    case: Case, verdicts: dict[str, Future[Verdict]]
) -> None:
    run = _verdict(verdicts, case).fixed_hidden
    assert run.passed, f"the intended fix fails the hidden checks:\n{run.output}"


@pytest.mark.slow
@pytest.mark.parametrize("case", _case_params())
def test_original_fails_the_hidden_checks(case: Case, verdicts: dict[str, Future[Verdict]]) -> None:
    run = _verdict(verdicts, case).original_hidden
    assert not run.passed, f"the hidden checks pass on the buggy version:\n{run.output}"


@pytest.mark.slow
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES if c.wrong])
def test_wrong_fixes_pass_the_oracle_and_fail_a_hidden_check(
    case: Case, verdicts: dict[str, Future[Verdict]]
) -> None:
    for wrong in _verdict(verdicts, case).wrong:
        shown = f"{wrong.edit.replace!r} -> {wrong.edit.with_text!r}"
        assert wrong.oracle.passed, (
            f"wrong fix {shown} does not pass the oracle:\n{wrong.oracle.output}"
        )
        assert not wrong.hidden.passed, f"wrong fix {shown} passes every hidden check"


@pytest.mark.slow
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES if len(c.intended) > 1])
def test_every_fault_of_a_multi_fault_case_matters(
    case: Case, verdicts: dict[str, Future[Verdict]]
) -> None:
    """Fixing all faults but one still fails the oracle: each fault is real on its own."""
    for edit, run in zip(case.intended, _verdict(verdicts, case).all_but_one, strict=True):
        assert not run.passed, f"the oracle passes without fixing {edit.replace!r}"


# ---- the layout (fast) -----------------------------------------------------------------------


def test_every_corpus_case_has_one_fix_entry_and_one_hidden_file() -> None:
    fixes = json.loads((CORPUS / "fixes.json").read_text(encoding="utf-8"))
    folders = {case.name for case in CASES if case.corpus is Corpus.CASES}
    hidden = {path.stem.removeprefix("test_") for path in (CORPUS / "hidden").glob("*.py")}
    assert set(fixes) == folders
    assert hidden == folders, (
        f"without hidden checks: {sorted(folders - hidden)}; orphans: {sorted(hidden - folders)}"
    )


@pytest.mark.parametrize("folder", project_folders(), ids=lambda p: p.name)
def test_project_metadata_is_well_formed(folder: Path) -> None:
    project_case(folder)  # raises LayoutError naming the field that breaks the conventions
    assert (folder / "project").is_dir() and (folder / "hidden").is_dir()


@pytest.mark.parametrize("case", _case_params())
def test_case_layout(case: Case) -> None:
    assert (case.root / case.target).is_file()
    assert case.classes, "no bug classes named"
    assert case.hidden, "no hidden checks"
    for path in case.hidden:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tests = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef) and n.name.startswith("test")
        ]
        assert tests, f"{path.name} defines no test"
    for argument in case.tests:
        assert (case.root / argument.split("::")[0]).exists(), argument
    if case.script is not None:
        assert (case.root / case.script).is_file()
    if case.corpus is Corpus.CASES:
        # The case folder is the project root a sandbox copies: the program and its tests only.
        names = {p.name for p in case.root.iterdir()} - {"__pycache__"}
        assert names <= {"prog.py", "test_prog.py"}


@pytest.mark.parametrize("case", _case_params())
def test_edits_are_unique_and_change_the_target(case: Case) -> None:
    source = case.source()
    fixed = apply_edits(source, case.intended)  # raises unless each replace occurs once
    assert fixed != source
    for edit in case.wrong:
        assert source.count(edit.replace) == 1, f"wrong fix not unique: {edit.replace!r}"
        assert apply_edits(source, (edit,)) not in (source, fixed)
    compile(fixed, case.target, "exec")


def _top_level_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("folder", project_folders(), ids=lambda p: p.name)
def test_projects_use_only_pytest_and_the_standard_library(folder: Path) -> None:
    """The Docker test image has python3 and python3-pytest and nothing else."""
    project = folder / "project"
    # The project's own modules and packages, wherever pytest's rootdir-relative imports find them.
    own = {path.stem for path in project.rglob("*.py")}
    own |= {path.name for path in project.rglob("*") if path.is_dir()}
    allowed = set(sys.stdlib_module_names) | {"pytest", "_pytest"} | own
    for path in [*project.rglob("*.py"), *(folder / "hidden").glob("*.py")]:
        foreign = _top_level_imports(path) - allowed
        assert not foreign, f"{path.relative_to(PROJECTS)} imports {sorted(foreign)}"


def test_the_corpora_keep_their_size() -> None:
    """The sizes issue 10 asks for; a case may be replaced, never silently dropped."""
    cases = [case for case in CASES if case.corpus is Corpus.CASES]
    projects = [case for case in CASES if case.corpus is Corpus.PROJECTS]
    assert len(cases) >= 110
    assert sum(case.script is not None for case in cases) >= 6
    assert len(projects) >= 30
    assert sum(case.hangs for case in projects) >= 5
    assert sum(case.script is not None for case in projects) >= 3
