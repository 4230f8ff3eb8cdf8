"""The tests cannot be fooled at run time: an always-true `__eq__` fails the assertion it would have
passed, and a test module replaced in `sys.modules` fails every test, in the warm worker (both
runners) and in the fresh pytest proof. Honest helpers of the tests (mock.ANY, approx, a test's
own matcher) and honest values of the target (dataclasses, NaN, numbers) are left alone, and
pytest's own failure messages are unchanged. The static guards are out of the way here."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixloop.test_runs import run_tests

from .conftest import STATS, STATS_TESTS, code, settings_for, write

FAKE_EQ = {
    "always true": """
        class Whatever(float):
            def __eq__(self, other):
                return True
            __hash__ = float.__hash__


        def mean(values):
            if not values:
                return Whatever(1.0)
            return sum(values) / len(values)
        """,
    "equal to any float": """
        class AnyFloat:
            def __eq__(self, other):
                return isinstance(other, float)


        def mean(values):
            if not values:
                return AnyFloat()
            return sum(values) / len(values)
        """,
    "one-sided": """
        class Agreeable:
            def __eq__(self, other):
                return True
            def __ne__(self, other):
                return True


        def mean(values):
            if not values:
                return Agreeable()
            return sum(values) / len(values)
        """,
}
NESTED_TESTS = """
    from stats import mean


    def test_mean():
        assert mean([1, 2, 3]) == 2


    def test_mean_of_nothing_is_zero():
        assert [mean([])] == [0.0] and {"m": mean([])} == {"m": 0.0}
    """
REPLACED_MODULE = """
    import sys
    import types


    def mean(values):
        return sum(values) / len(values)


    def _swap():
        fake = types.ModuleType("test_stats")
        fake.__file__ = __file__.replace("stats.py", "test_stats.py")
        fake.test_mean = lambda: None
        fake.test_mean_of_nothing_is_zero = lambda: None
        sys.modules["test_stats"] = fake


    _swap()
    """
CONFTEST = """
    import pytest


    @pytest.fixture
    def numbers():
        return [1, 2, 3]
    """


def project(root: Path, target: str, tests: str = STATS_TESTS, *, conftest: bool = False) -> Path:
    files = {"stats.py": target, "test_stats.py": tests}
    if conftest:  # the warm worker then runs the tests under pytest, not its small runner
        files["conftest.py"] = CONFTEST
    return write(root, files)


@pytest.mark.parametrize("kind", ["local", "bwrap"])
@pytest.mark.parametrize("conftest", [False, True], ids=["light", "pytest"])
@pytest.mark.parametrize("cheat", sorted(FAKE_EQ))
async def test_an_object_that_fakes_equality_is_caught(
    tmp_path: Path, runtime_checks, kind: str, conftest: bool, cheat: str
) -> None:
    root = project(tmp_path, STATS, conftest=conftest)
    checks = await runtime_checks(root, "stats.py", kind, tests=("test_stats.py",))
    candidate = code(FAKE_EQ[cheat])
    verdict = await checks.verdict(candidate)
    assert verdict.outcome == "cheat" and not verdict.verified, verdict
    assert "strict assertion" in verdict.reason and "test_mean_of_nothing_is_zero" in verdict.output
    # The fresh proof alone catches it too.
    proof, after = await checks.validator.verifier.prove(candidate)
    assert proof.outcome == "cheat" and after is None, proof
    assert checks.state.winner is None


@pytest.mark.parametrize("kind", ["local", "bwrap"])
async def test_a_cheat_inside_containers_is_caught(
    tmp_path: Path, runtime_checks, kind: str
) -> None:
    root = project(tmp_path, STATS, NESTED_TESTS)
    checks = await runtime_checks(root, "stats.py", kind, tests=("test_stats.py",))
    verdict = await checks.verdict(code(FAKE_EQ["always true"]))
    assert verdict.outcome == "cheat" and "fresh object" in verdict.reason, verdict


@pytest.mark.parametrize("kind", ["local", "bwrap", "docker"])
@pytest.mark.parametrize("conftest", [False, True], ids=["light", "pytest"])
async def test_a_test_module_replaced_in_sys_modules_is_caught(
    tmp_path: Path, runtime_checks, kind: str, conftest: bool
) -> None:
    root = project(tmp_path, STATS, conftest=conftest)
    checks = await runtime_checks(root, "stats.py", kind, tests=("test_stats.py",))
    candidate = code(REPLACED_MODULE)
    verdict = await checks.verdict(candidate)
    assert verdict.outcome == "cheat", verdict
    assert "replaced in sys.modules" in verdict.reason
    proof, after = await checks.validator.verifier.prove(candidate)
    assert proof.outcome == "cheat" and "replaced in sys.modules" in proof.reason, proof


HONEST_TESTS = """
    import math
    from dataclasses import dataclass
    from unittest.mock import ANY

    import pytest
    from stats import Point, mean, middle


    class AnyNumber:
        def __eq__(self, other):
            return isinstance(other, (int, float))


    def test_mean():
        assert mean([1, 2, 3]) == pytest.approx(2.0)
        assert (mean([1, 2]), "ok") == (ANY, "ok")
        assert mean([4]) == AnyNumber()


    def test_mean_of_nothing_is_nan():
        assert math.isnan(mean([]))
        assert mean([]) != mean([])


    def test_points():
        assert middle(Point(0, 0), Point(2, 2)) == Point(1, 1)
        assert middle(Point(0, 0), Point(2, 2)) != Point(0, 0)
    """
HONEST_TARGET = """
    from dataclasses import dataclass


    @dataclass(frozen=True)
    class Point:
        x: float
        y: float


    def mean(values):
        return sum(values) / len(values)


    def middle(a, b):
        return Point((a.x + b.x) / 2, (a.y + b.y) / 2)
    """


@pytest.mark.parametrize("kind", ["local", "bwrap"])
async def test_honest_values_and_the_tests_own_helpers_pass(
    tmp_path: Path, runtime_checks, kind: str
) -> None:
    root = project(tmp_path, HONEST_TARGET, HONEST_TESTS)
    checks = await runtime_checks(root, "stats.py", kind, tests=("test_stats.py",))
    source = (root / "stats.py").read_text()
    fixed = source.replace(
        "return sum(values) / len(values)",
        "return sum(values) / len(values) if values else float('nan')",
    )
    verdict = await checks.verdict(fixed)
    assert verdict.verified, verdict


async def test_pytest_failure_messages_stay_readable(tmp_path: Path, runtime_checks) -> None:
    root = project(tmp_path, STATS)
    checks = await runtime_checks(root, "stats.py", "local", tests=("test_stats.py",))
    wrong = (
        (root / "stats.py")
        .read_text()
        .replace("return sum(values) / len(values)", "return sum(values) / (len(values) or 1) + 1")
    )
    proof = await checks.validator.verifier.fresh(wrong, proof=True)
    assert not proof.ok
    # pytest's own explanation of the failed comparison, as plain pytest prints it.
    assert "assert 3.0 == 2" in proof.output and "where 3.0 = mean([1, 2, 3])" in proof.output


async def test_an_unsaved_test_buffer_is_what_runs(tmp_path: Path) -> None:
    """Run Tests with an editor's unsaved test file: the request's text, not the file on disk,
    is what the strict loader serves."""
    root = project(tmp_path, STATS)
    unsaved = code(STATS_TESTS).replace("assert mean([]) == 0.0", "assert mean([1]) == 1")
    settings = settings_for("local")
    on_disk = await run_tests(root, ["test_stats.py"], settings=settings)
    assert on_disk.failed == 1
    edited = await run_tests(
        root, ["test_stats.py"], settings=settings, overlay={"test_stats.py": unsaved}
    )
    assert edited.failed == 0 and edited.passed == 2, edited


@pytest.mark.parametrize("kind", ["local", "bwrap"])
async def test_a_test_file_that_starts_below_line_one_still_compiles(
    tmp_path: Path, kind: str
) -> None:
    """pytest's rewritten asserts, made strict, keep valid locations wherever the file's code
    starts (a leading blank line once made every such file a collection error)."""
    tests = "\n\n# the checks\n" + code(STATS_TESTS).replace(
        "assert mean([]) == 0.0", "assert mean([1]) == 1"
    )
    root = write(tmp_path, {"stats.py": STATS, "test_stats.py": tests})
    report = await run_tests(root, ["test_stats.py"], settings=settings_for(kind))
    assert report.failed == 0 and report.passed == 2, report
