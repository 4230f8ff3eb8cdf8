"""The parts of `fixloop bench repair` the gate relies on: the oracle each case asks for, the
baseline file, regressions and the per-corpus summary (fast; no loop runs here)."""

from __future__ import annotations

import json
from pathlib import Path

from fixloop.bench.corpora import Corpus, all_cases
from fixloop.bench.corpus_run import (
    CaseRun,
    corpus_summary,
    fix_request,
    load_baseline,
    regressions,
    write_baseline,
)
from fixloop.settings import Settings

CASES = {case.id: case for case in all_cases()}


def run(case_id: str, *, verified: bool, correct: bool, seconds: float = 1.0) -> CaseRun:
    return CaseRun(case_id, Corpus.CASES, verified, correct, False, seconds, 3, "edit")


def test_each_case_asks_for_the_oracle_its_metadata_names() -> None:
    settings = Settings()
    tests = fix_request(CASES["corpus/adult_age"], settings)
    assert tests.tests == ("test_prog.py",) and tests.command is None
    script = fix_request(CASES["corpus/trap_weekly_means_script"], settings)
    assert script.tests == () and script.command is None
    driven = fix_request(CASES["projects/ledger_cli"], settings)
    assert driven.command == "python monthly_report.py" and driven.path == Path("ledger/report.py")
    assert fix_request(CASES["projects/sensor_peaks_script"], settings).command is None


def test_the_baseline_keeps_correct_fixes_found_within_half_the_budget(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    runs = [
        run("corpus/a", verified=True, correct=True, seconds=5),
        run("corpus/b", verified=True, correct=False),
        run("corpus/c", verified=False, correct=False),
        run("corpus/d", verified=True, correct=True, seconds=50),
    ]
    write_baseline(runs, 60.0, path)
    assert load_baseline(path) == {"corpus/a"}
    assert load_baseline(tmp_path / "missing.json") == frozenset()
    # A verified fix that fails the hidden checks is no achievement and no accepted shortfall:
    # the baseline has no list of wrong fixes to excuse (the bench and the gate fail on any).
    data = json.loads(path.read_text())
    assert "corpus/b" in data["not_fixed"] and "known_wrong" not in data


def test_a_case_the_baseline_fixes_that_is_not_verified_is_a_regression() -> None:
    runs = [
        run("corpus/a", verified=False, correct=False),
        run("corpus/b", verified=True, correct=False),
    ]
    assert regressions(runs, frozenset({"corpus/a", "corpus/b", "corpus/z"})) == ["corpus/a"]


def test_the_summary_counts_verified_correct_wrong_and_times() -> None:
    runs = [
        run("corpus/a", verified=True, correct=True, seconds=2),
        run("corpus/b", verified=True, correct=False, seconds=4),
        run("corpus/c", verified=False, correct=False),
    ]
    line = corpus_summary(runs)
    assert line.startswith("2/3 verified (67%), 1 correct, 1 wrong")
    assert "median 3.00s" in line and "p95 4.00s" in line
