"""Plausible is not correct: the leading candidates run side by side on inputs from the tests.

Inputs come from the tests' own calls into the target (with parametrized rows), their
neighbours and the other tests' values; the original and the leaders run in a real sandbox
(`fixloop.repair.probe_program`); disagreements make the fix uncertain, and agreement with the
original where its tests pass orders the leaders within a tier.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from fixloop.evidence import evidence_of, summary_line
from fixloop.fixes import Disagreement, FixRequest, FixResult, Proof, prepare
from fixloop.repair.compare import (
    Comparison,
    Leader,
    compare_leaders,
    module_location,
    passed_test_names,
)
from fixloop.repair.probe_inputs import ProbeCall, calls_in_tests, derived_inputs, target_functions
from fixloop.repair.probe_program import normal
from fixloop.sandbox import open_sandbox

from .conftest import SANDBOX

PROGRAM = textwrap.dedent(
    """
    def is_adult(age):
        return age > 18


    def label(age, name="x"):
        return name.upper() if is_adult(age) else name


    async def later(age):
        return age
    """
).lstrip("\n")
TESTS = textwrap.dedent(
    """
    import pytest
    from prog import is_adult, label


    def test_eighteen():
        assert is_adult(18)


    def test_child():
        assert not is_adult(4)
        assert label(4, name="ann") == "ann"


    @pytest.mark.parametrize("age, expected", [(30, True), (2, False)])
    def test_table(age, expected):
        assert is_adult(age) == expected
        assert is_adult(age + 1)  # not a literal: left out
    """
)


def test_calls_come_from_the_tests_with_parametrized_rows() -> None:
    functions = target_functions(PROGRAM)
    assert functions == {"is_adult", "label"}  # the coroutine function is left out
    calls = calls_in_tests([TESTS], functions, frozenset({"test_child", "test_table"}))
    assert [c.text() for c in calls] == [
        "is_adult(18)",
        "is_adult(4)",
        "label(4, name='ann')",
        "is_adult(30)",
        "is_adult(2)",
    ]
    assert [c.from_passing for c in calls] == [False, True, True, True, True]


def test_derived_inputs_are_the_calls_their_neighbours_and_the_other_values() -> None:
    calls = [ProbeCall("f", ("3", "'ab'"), ()), ProbeCall("f", ("7", "'c'"), (), True)]
    texts = [c.text() for c in derived_inputs(calls)]
    assert texts[:2] == ["f(3, 'ab')", "f(7, 'c')"]
    for expected in (
        "f(4, 'ab')",
        "f(2, 'ab')",
        "f(-3, 'ab')",
        "f(3, '')",
        "f(3, 'a')",
        "f(3, 'ba')",
    ):
        assert expected in texts
    assert "f(7, 'ab')" in texts and "f(3, 'c')" in texts  # the other call's values
    assert len(texts) == len(set(texts))
    assert len(derived_inputs(calls, limit=5)) == 5


def test_results_read_alike_across_processes() -> None:
    assert normal(0.1 + 0.2) == normal(0.3) and normal(2.0) == "2"
    assert normal({"b", "a"}) == "{'a', 'b'}"
    assert "0x" not in normal(object())


def test_module_location_follows_the_layouts() -> None:
    assert module_location("prog.py") == ("prog", ["."])
    assert module_location("pkg/mod.py") == ("pkg.mod", ["."])
    assert module_location("src/pkg/__init__.py") == ("pkg", ["src", "."])


def test_trusted_tests_are_those_all_of_whose_cases_passed() -> None:
    passed = frozenset({"t.py::test_a", "t.py::test_b[1]", "t.py::TestX::test_c"})
    failed = frozenset({"t.py::test_b[2]"})
    assert passed_test_names(passed, failed) == {"test_a", "test_c"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "prog.py").write_text(PROGRAM)
    (tmp_path / "test_prog.py").write_text(TESTS)
    return tmp_path


async def test_leaders_that_disagree_are_shown_with_each_result(project: Path) -> None:
    prepared = prepare(FixRequest(Path("prog.py"), project, tests=("test_prog.py",)))
    right = PROGRAM.replace("age > 18", "age >= 18")
    same = PROGRAM.replace("age > 18", "age > 17")
    wrong = PROGRAM.replace("age > 18", "age == 18 or age > 18 and age > 29")
    sandbox = await open_sandbox(SANDBOX)
    try:
        trusted = frozenset({"test_child", "test_table"})
        agreeing = await compare_leaders(
            sandbox, prepared, [Leader(right, ">=", 0), Leader(same, "17", 0)], trusted
        )
        assert agreeing is not None and agreeing.inputs > 5
        assert agreeing.disagreements == () and agreeing.order == (0, 1)
        split = await compare_leaders(
            sandbox, prepared, [Leader(wrong, "special", 0), Leader(right, ">=", 0)], trusted
        )
    finally:
        await sandbox.close()
    assert split is not None and split.disagreements
    shown = {d.call: dict(d.results) for d in split.disagreements}
    assert shown["is_adult(19)"] == {"special": "= False; [19] {}", ">=": "= True; [19] {}"}
    # The right one agrees with the original where the original's tests pass (is_adult(31)
    # and others near the passing calls); the wrong one does not, so it goes second.
    assert split.agreement[1] > split.agreement[0]
    assert split.order == (1, 0)


async def test_a_tier_is_never_crossed_and_one_leader_compares_nothing(project: Path) -> None:
    prepared = prepare(FixRequest(Path("prog.py"), project, tests=("test_prog.py",)))
    right = PROGRAM.replace("age > 18", "age >= 18")
    wrong = PROGRAM.replace("age > 18", "age == 18 or age > 18 and age > 29")
    sandbox = await open_sandbox(SANDBOX)
    try:
        alone = await compare_leaders(sandbox, prepared, [Leader(right, ">=", 0)], frozenset())
        tiers = await compare_leaders(
            sandbox,
            prepared,
            [Leader(wrong, "special", 0), Leader(right, "guard", 1)],
            frozenset({"test_child", "test_table"}),
        )
    finally:
        await sandbox.close()
    assert alone is None
    assert tiers is not None and tiers.order == (0, 1)


def test_an_uncertain_fix_says_so_and_names_the_disagreement() -> None:
    from fixloop.fixes import OracleSide

    proof = Proof(
        "pytest test_prog.py",
        OracleSide("failed", 2, 1, "1 failing"),
        OracleSide("passed", 3, 0, "3/3 tests pass"),
    )
    evidence = evidence_of("tests", proof)
    assert evidence == "tests: 1 failing -> 3/3 pass"
    result = FixResult(
        verified=True,
        engine="offline",
        candidates_tried=9,
        duration_ms=1200,
        original="a",
        fixed="b",
        diff="",
        proof=proof,
        reason=None,
        transcript=None,
        summary="compare > -> >= (line 2)",
        evidence=evidence,
        uncertain=True,
        disagreements=(
            Disagreement("is_adult(19)", (("a", "= True"), ("b", "= False")), "= False"),
        ),
    )
    line = summary_line(result)
    assert line.startswith("uncertain fix: compare > -> >= (line 2)")
    assert "is_adult(19): a gives = True; b gives = False" in line and evidence in line
    assert evidence_of("script", proof) == "runs without error (no tests)"


LARGEST = textwrap.dedent(
    """
    def largest(values):
        best = values[0]
        for i in range(1, len(values) - 1):
            if values[i] > best:
                best = values[i]
        return best
    """
).lstrip("\n")
LARGEST_TESTS = textwrap.dedent(
    """
    from prog import largest


    def test_middle():
        assert largest([1, 9, 2]) == 9


    def test_last():
        assert largest([1, 2, 30]) == 30
    """
)


async def compare_two(
    root: Path, program: str, tests: str, leaders: list[Leader], trusted: frozenset[str]
) -> Comparison | None:
    """`program` and its `tests` written under `root`, then `leaders` compared in a sandbox."""
    (root / "prog.py").write_text(program)
    (root / "test_prog.py").write_text(tests)
    prepared = prepare(FixRequest(Path("prog.py"), root, tests=("test_prog.py",)))
    sandbox = await open_sandbox(SANDBOX)
    try:
        return await compare_leaders(sandbox, prepared, leaders, trusted)
    finally:
        await sandbox.close()


async def test_untrusted_inputs_break_ties_by_the_original_s_normal_results(tmp_path: Path) -> None:
    """No trusted input separates `best = values[-1]` from the loop bound fix; on the others the
    original's normal results do (`largest([30, 2, 1])` is 30), so the smaller change of
    behaviour comes first. An input on which the original raised counts for no one."""
    last = LARGEST.replace("best = values[0]", "best = values[-1]")
    bound = LARGEST.replace("len(values) - 1", "len(values)")
    leaders = [Leader(last, "last", 0), Leader(bound, "bound", 0)]
    compared = await compare_two(
        tmp_path, LARGEST, LARGEST_TESTS, leaders, frozenset({"test_middle"})
    )
    assert compared is not None and compared.disagreements
    assert compared.agreement[0] == compared.agreement[1]  # the trusted inputs do not separate
    assert compared.order == (1, 0)


FLAGS = textwrap.dedent(
    """
    def feature_enabled(flags, name):
        if flags[name]:
            return True
        return False
    """
).lstrip("\n")
FLAGS_TESTS = textwrap.dedent(
    """
    from prog import feature_enabled


    def test_on():
        assert feature_enabled({"dark": True}, "dark")


    def test_missing():
        assert not feature_enabled({}, "dark")
    """
)


async def test_a_leader_that_still_raises_where_the_original_did_comes_after(
    tmp_path: Path,
) -> None:
    """`flags and flags[name]` passes the tests but still raises KeyError for a name missing
    from a non-empty dict, as the original did; `flags.get(name)` returns there."""
    clause = FLAGS.replace("if flags[name]:", "if flags and flags[name]:")
    get = FLAGS.replace("if flags[name]:", "if flags.get(name):")
    leaders = [Leader(clause, "clause", 0), Leader(get, "get", 0)]
    compared = await compare_two(tmp_path, FLAGS, FLAGS_TESTS, leaders, frozenset({"test_on"}))
    assert compared is not None and compared.disagreements
    assert compared.order == (1, 0)
