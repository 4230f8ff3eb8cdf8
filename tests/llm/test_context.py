"""What a model sees of a failure (issue 10, section 4), read from the requests the scripted
server recorded, one test per part.

The real repair loop runs on a real-world-shaped project (`shipping_project`: a package, two
conftest.py files with fixtures, parametrize cases from a CSV file, pyproject configuration)
with the local sandbox, the real worker and a real pytest, and the real `openai` client talks to
the scripted server over HTTP. Parts 1 to 5 share one loop run (its first request); the best
partial candidate of a multi-round search needs a conversation of its own.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixloop.fixes import FixRequest, FixResult
from fixloop.loop import run_fix
from fixloop.repair.llm.context import MAX_SUSPICIOUS
from fixloop.settings import Settings
from fixloop.spans import LineRange

from .conftest import CANARY_KEY
from .scripted_server import RecordedRequest, ScriptedServer
from .shipping_project import BUGGY_LINE, SLOW_TEST, TARGET, TESTS, write_project
from .test_requests import code_blocks, outside_blocks


def answer(root: Path, new_line: str) -> str:
    """A model answer: the target range (line 6 to the end) with the buggy line replaced."""
    lines = (root / TARGET).read_text().splitlines()[5:]
    text = "\n".join(new_line if line == BUGGY_LINE else line for line in lines)
    return f"```python\n{text}\n```"


GOOD_LINE = "    return -(-weight_grams // 1000)"
# Turns the fast failing tests green, not a 20.5 kg parcel (round() rounds half to even).
PARTIAL_LINE = "    return max(1, round(weight_grams / 1000))"
STILL_WRONG_LINE = "    return (weight_grams // 1000)"


async def fix_shipping(root: Path, **settings: object) -> FixResult:
    lines = len((root / TARGET).read_text().splitlines())
    chosen = Settings(**{"engine": "llm", "sandbox": "local", "budget": 120.0, **settings})  # type: ignore[arg-type]
    request = FixRequest(
        path=Path(TARGET),
        root=root,
        settings=chosen,
        line_range=LineRange(6, lines),
        tests=(TESTS,),
    )
    return await run_fix(request)


@dataclass
class Conversation:
    root: Path
    result: FixResult
    requests: list[RecordedRequest]

    @property
    def first(self) -> str:
        return self.requests[0].last_user_text()

    def blocks(self) -> list[str]:
        return [body for _, body in code_blocks(self.first)]

    def transcript(self) -> list[dict[str, object]]:
        assert self.result.transcript is not None
        lines = Path(self.result.transcript).read_text().splitlines()
        return [json.loads(line) for line in lines if line.strip()]


def converse(
    root: Path,
    replies: list[str],
    monkeypatch: pytest.MonkeyPatch,
    state: Path,
    fix: Callable[[], Awaitable[FixResult]] | None = None,
) -> Conversation:
    """Run the loop on `root` (`fix_shipping`, unless `fix` says otherwise) against a scripted
    server that gives `replies`."""
    server = ScriptedServer().start()
    try:
        for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("FIXLOOP_MODEL", "scripted-coder")
        monkeypatch.setenv("FIXLOOP_BASE_URL", server.base_url)
        monkeypatch.setenv("FIXLOOP_API_KEY", CANARY_KEY)
        monkeypatch.setenv("FIXLOOP_MODEL_TIMEOUT", "5")
        monkeypatch.setenv("FIXLOOP_STATE_DIR", str(state))
        server.push(*replies)
        run = fix() if fix is not None else fix_shipping(root, max_turns=len(replies))
        result = asyncio.run(run)
        return Conversation(root, result, list(server.requests))
    finally:
        server.stop()


@pytest.fixture(scope="module")
def shipping(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Conversation]:
    """One loop on the shipping project; the model answers with the fix at once."""
    root = write_project(tmp_path_factory.mktemp("shipping"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        conversation = converse(
            root,
            [answer(root, GOOD_LINE)],
            monkeypatch,
            tmp_path_factory.mktemp("state"),
        )
    assert conversation.result.verified, conversation.result.reason
    assert len(conversation.requests) == 1
    yield conversation


def block_with(conversation: Conversation, *needles: str) -> str:
    """The one code block of the first request that holds all of `needles`."""
    found = [body for body in conversation.blocks() if all(n in body for n in needles)]
    assert found, f"no block holds {needles}:\n{conversation.first}"
    return found[0]


def test_part1_the_failing_tests_source_their_data_and_their_fixtures(
    shipping: Conversation,
) -> None:
    source = block_with(shipping, "def test_parcel_cost(case, table):")
    assert '@pytest.mark.parametrize("case", CASES' in source
    assert "assert parcel_cost(int(case" in source
    assert "def test_cost_per_kilo_of_a_letter(table):" in block_with(
        shipping, 'print("pricing an 800 g letter to FR")'
    )
    # The cases come from a CSV file: the definition that reads it, and the rows that failed.
    assert "CASES = list(csv.DictReader(handle))" in block_with(shipping, "parcels.csv")
    rows = re.findall(r"^parameters: case = (.*)$", shipping.first, re.MULTILINE)
    assert any("'1500'" in row and "'DE'" in row and "'650'" in row for row in rows), rows
    assert any("'250'" in row and "'US'" in row and "'1900'" in row for row in rows), rows
    assert not any("'2000'" in row for row in rows)  # a case that passed is not shown
    # The fixture the tests request (tests/conftest.py) and the one it requests in turn (the
    # root conftest.py), each as written; monkeypatch is pytest's own.
    table = block_with(shipping, "def table(price_table, monkeypatch):")
    assert "monkeypatch.setitem(zones.ZONES" in table
    price_table = block_with(shipping, "def price_table():")
    assert '@pytest.fixture(scope="session")' in price_table
    assert "`table` (requested by test_parcel_cost), tests/conftest.py line 6:" in shipping.first
    assert "`price_table` (requested by table), conftest.py line 7:" in shipping.first
    assert "(not in the project): monkeypatch" in shipping.first


def test_part2_pytest_assertion_introspection_and_the_exception(shipping: Conversation) -> None:
    assertion = block_with(shipping, "test: tests/test_cost.py::test_parcel_cost[1500g-DE]", "E  ")
    assert re.search(r"^E\s+AssertionError: assert 550 == 650$", assertion, re.MULTILINE)
    other = block_with(shipping, "test: tests/test_cost.py::test_parcel_cost[250g-US]", "E  ")
    assert re.search(r"^E\s+AssertionError: assert 1500 == 1900$", other, re.MULTILINE)
    crash = block_with(shipping, "test: tests/test_cost.py::test_cost_per_kilo_of_a_letter", "E  ")
    assert re.search(r"^shipping/cost\.py:20$", crash, re.MULTILINE)
    assert re.search(r"^>\s+return round\(cost / kilos, 2\)$", crash, re.MULTILINE)
    assert re.search(r"^E\s+ZeroDivisionError: division by zero$", crash, re.MULTILINE)
    assert "AssertionError: assert 550 == 650" not in outside_blocks(shipping.first)


def test_part3_the_locals_of_the_deepest_frame_in_the_target(shipping: Conversation) -> None:
    frame = block_with(shipping, "frame: cost_per_kilo at shipping/cost.py line 20")
    values = dict(line.split(" = ", 1) for line in frame.splitlines() if re.match(r"^\w+ = ", line))
    assert values["weight_grams"] == "800"
    assert values["country"] == "'FR'"
    assert values["kilos"] == "0"
    assert values["cost"] == "700"  # the base price alone: no kilogram counted
    assert values["table"].startswith("{1: (450, 100), 2: (700, 150)")
    assert "test: tests/test_cost.py::test_cost_per_kilo_of_a_letter" in frame
    # Assertion failures about returned values never entered the target's frames: no locals.
    assert shipping.first.count("frame: ") == 1


def test_part4_the_output_printed_before_the_failure(shipping: Conversation) -> None:
    printed = block_with(shipping, "pricing an 800 g letter to FR", "test: ")
    assert printed.splitlines()[0] == "test: tests/test_cost.py::test_cost_per_kilo_of_a_letter"
    assert "Output printed before a test failed" in shipping.first
    assert "pricing an 800 g letter" not in outside_blocks(shipping.first)


def test_part5_the_most_suspicious_lines(shipping: Conversation) -> None:
    table = block_with(shipping, " line  score  text")
    rows = [line.split(None, 2) for line in table.splitlines()[1:]]
    source = (shipping.root / TARGET).read_text().splitlines()
    target = next(e for e in shipping.transcript() if e.get("kind") == "target")
    ranked = target["suspicious"]
    assert isinstance(ranked, list) and ranked
    expected = [(str(line), f"{score:.2f}") for line, score in ranked[:MAX_SUSPICIOUS]]
    assert [(row[0], row[1]) for row in rows] == expected
    for line, _, text in rows:
        assert source[int(line) - 1].strip() == text
    assert any(text == BUGGY_LINE.strip() for _, _, text in rows)


def test_part6_the_best_partial_candidate_of_a_multi_round_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_project(tmp_path / "project", tests=SLOW_TEST)
    replies = [answer(root, line) for line in (PARTIAL_LINE, STILL_WRONG_LINE, GOOD_LINE)]
    conversation = converse(root, replies, monkeypatch, tmp_path / "state")
    assert conversation.result.verified and len(conversation.requests) == 3
    assert "An earlier candidate" not in conversation.first  # nothing partial yet
    second = conversation.requests[1].last_user_text()
    assert "turns 3 of the 4 failing tests green and breaks none" in second
    listing = next(body for _, body in code_blocks(second) if body.startswith("green with it:"))
    assert listing.splitlines() == [
        "green with it:",
        "tests/test_cost.py::test_cost_per_kilo_of_a_letter",
        "tests/test_cost.py::test_parcel_cost[1500g-DE]",
        "tests/test_cost.py::test_parcel_cost[250g-US]",
        "still failing with it:",
        "tests/test_cost.py::test_heavy_parcel",
    ]
    diff = next(body for fence, body in code_blocks(second) if body.startswith("---"))
    assert f"+{PARTIAL_LINE}" in diff and f"-{BUGGY_LINE}" in diff
    # The same partial candidate is not repeated in the next turn.
    assert "An earlier candidate" not in conversation.requests[2].last_user_text()
