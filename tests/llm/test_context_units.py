"""The parts of the model's context one by one: the resolution of test and fixture sources,
the merge of the warm and the fresh run, and the prompt's cap with the least useful parts cut
first. The end-to-end tests through the scripted server are in test_context.py and
test_context_bounds.py; the worker's side in test_context_worker.py.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fixloop.observation import FailureDetail, FrameLocals, Observation, TestOutcome
from fixloop.repair.engine import CandidateVerdict, Failure, PartialCandidate
from fixloop.repair.failure import failure_of, spread
from fixloop.repair.llm.context import Keep, Section, compose
from fixloop.repair.llm.repair_prompt import NARROW_CONTEXT_LINES, PROMPT_CHARS, fix_prompt
from fixloop.repair.llm.testsource import TestSources
from fixloop.spans import LineRange

# --- the failing tests' source ------------------------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


PROJECT = {
    "conftest.py": """
        import pytest

        @pytest.fixture
        def db():
            return "root db"

        @pytest.fixture(name="clock")
        def fake_clock():
            return 0

        @pytest.fixture(autouse=True)
        def quiet_logs():
            yield
    """,
    "tests/conftest.py": """
        import pytest

        @pytest.fixture
        def db(tmp_path, clock):
            return "nearest db"

        @pytest.fixture
        def audit(db):
            return []
    """,
    "tests/test_orders.py": """
        import pytest

        ROWS = [(1, 2), (3, 4)]

        @pytest.fixture
        def order(db):
            return {"id": 1}

        class TestOrders:
            @pytest.mark.usefixtures("audit")
            @pytest.mark.parametrize("a, b", ROWS)
            def test_total(self, a, b, order, capsys):
                assert a + b == order["id"]
    """,
}


def test_fixtures_resolve_nearest_first_one_level_deep(tmp_path: Path) -> None:
    root = _write(tmp_path, PROJECT)
    source = TestSources(root).of("tests/test_orders.py::TestOrders::test_total[1-2]")
    assert source is not None
    assert source.function.first_line == 11 and "def test_total(self, a, b, order" in (
        source.function.text
    )
    assert [d.text for d in source.data] == ["ROWS = [(1, 2), (3, 4)]"]
    found = {(f.name, f.excerpt.file, f.requested_by) for f in source.fixtures}
    assert ("order", "tests/test_orders.py", "test_total") in found  # the module's own
    assert ("audit", "tests/conftest.py", "test_total") in found  # through usefixtures
    assert ("db", "tests/conftest.py", "order") in found  # the nearest conftest wins
    assert ("quiet_logs", "conftest.py", "autouse") in found
    # One level only: `db`'s own `clock` (renamed with name=) is not followed further.
    assert not any(f.name == "clock" for f in source.fixtures)
    assert source.elsewhere == ("capsys",)
    assert not any(f.name in ("a", "b") for f in source.fixtures)  # parametrize arguments


def test_a_node_id_outside_the_project_is_never_read(tmp_path: Path) -> None:
    (tmp_path / "outside.py").write_text("def test_secret():\n    assert False\n")
    root = _write(tmp_path / "project", {"tests/test_a.py": "def test_a():\n    pass\n"})
    finder = TestSources(root)
    assert finder.of("../outside.py::test_secret") is None
    assert finder.of("tests/../../outside.py::test_secret") is None
    assert finder.of("tests/missing.py::test_a") is None
    assert finder.of("tests/test_a.py::test_b") is None
    assert finder.of("tests/test_a.py::test_a") is not None


# --- the failure: a bounded sample, with what the fresh run adds ------------------------------


def test_the_sample_spreads_over_test_functions_and_takes_the_fresh_explanation() -> None:
    many = [TestOutcome(f"t.py::test_many[{n}]", "failed", "AssertionError") for n in range(500)]
    other = TestOutcome("t.py::test_other", "failed", "AssertionError")
    chosen = spread([*many, other], 10)
    assert other in chosen and len(chosen) == 10
    locals_seen = FrameLocals("m.py", 3, "f", (("x", "1"),))
    # The small runner names cases by index, pytest by their ids: matched by their order.
    observed = Observation(
        (
            TestOutcome("t.py::test_p[0]", "passed"),
            TestOutcome(
                "t.py::test_p[1]",
                "failed",
                "AssertionError",
                detail=FailureDetail(locals=locals_seen),
            ),
        )
    )
    fresh = Observation(
        (
            TestOutcome("t.py::test_p[a]", "passed"),
            TestOutcome(
                "t.py::test_p[b]",
                "failed",
                "assert 1 == 2",
                detail=FailureDetail("E  assert 1 == 2"),
            ),
        )
    )
    failure = failure_of(observed, "m.py", fresh)
    (test,) = failure.tests
    assert test.id == "t.py::test_p[1]"
    assert test.detail == FailureDetail(explanation="E  assert 1 == 2", locals=locals_seen)


# --- the prompt: a total cap, the least useful parts cut first ---------------------------------


def test_compose_cuts_the_least_useful_sections_first() -> None:
    sections = [
        Section("A" * 100, Keep.ALWAYS),
        Section("E" * 100, Keep.EXPLANATION),
        Section("F" * 100, Keep.FIXTURES),
        Section("S" * 100, Keep.SUSPICIOUS),
        Section("R" * 100, Keep.RAW_REPORT),
    ]
    assert compose(sections, 10_000) == sections
    kept = compose(sections, 320)
    assert [s.keep for s in kept] == [Keep.ALWAYS, Keep.EXPLANATION, Keep.SUSPICIOUS]
    assert [s.keep for s in compose(sections, 10)] == [Keep.ALWAYS]


@dataclass
class _Session:
    """The parts of a `RepairSession` the first prompt reads."""

    source: str
    target: LineRange
    failure: Failure
    root: Path
    path: Path = Path("big.py")
    oracle_description: str = "pytest tests/test_big.py"
    explicit_range: bool = True
    suspicious: Sequence[tuple[int, float]] = ()
    baseline: Observation = field(default_factory=lambda: Observation(()))
    tried: int = 0

    def rejected(self) -> Sequence[tuple[str, CandidateVerdict]]:
        return []

    def best_partial(self) -> PartialCandidate | None:
        return None


def test_a_huge_file_and_context_stay_under_the_cap(tmp_path: Path) -> None:
    source = "".join(f"value_{n} = {'x' * 600!r}\n" for n in range(3000))
    detail = FailureDetail(
        explanation="E   assert 1 == 2\n" * 200,
        output="printed\n" * 5000,
        locals=FrameLocals("big.py", 1500, "f", tuple((f"v{n}", "1" * 300) for n in range(40))),
    )
    tests = tuple(
        TestOutcome(f"tests/test_big.py::test_{n}", "failed", "AssertionError", detail=detail)
        for n in range(50)
    )
    failure = Failure(
        "50 failing", "FAILED x\n" * 1000, failing_tests=tuple(t.id for t in tests), tests=tests
    )
    session = _Session(source, LineRange(1500, 1502), failure, tmp_path, suspicious=[(1501, 0.9)])
    prompt = fix_prompt(session)  # type: ignore[arg-type]
    assert len(prompt) <= PROMPT_CHARS
    assert (
        f"(lines {1500 - NARROW_CONTEXT_LINES}-{1502 + NARROW_CONTEXT_LINES} of 3000 shown)"
        in prompt
    )
    assert "1501 | value_1500" in prompt  # the target range is always there
    assert "What pytest reported" in prompt and "E   assert 1 == 2" in prompt
    assert "The local variables of the deepest frame" in prompt
    # The least useful parts went first: the one-line report, the suspicious lines, the output.
    assert "The failure report:" not in prompt and "most suspicious" not in prompt
    assert "Output printed" not in prompt
