"""The failure's context stays bounded on huge inputs, and secrets in it never reach a request.

Each test runs the real loop (local sandbox, real worker and pytest, the real `openai` client
against the scripted server) on a project with something huge in it: a 10 MB local variable, a
test or a script printing 50 MB (through pytest's capture, the small runner's and the script
runner's), 500 failing tests; and on one whose failing frame and output hold the API key.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from fixloop.fixes import FixRequest, FixResult
from fixloop.loop import run_fix
from fixloop.repair.llm.context import LOCAL_CHARS, MAX_TESTS_EXPLAINED, MAX_TESTS_LISTED
from fixloop.repair.llm.repair_prompt import PROMPT_CHARS
from fixloop.settings import Settings
from fixloop.spans import LineRange

from .conftest import CANARY_KEY
from .shipping_project import LOUD_TEST, MANY_TESTS, write_project
from .test_canaries import decoded_views
from .test_context import GOOD_LINE, answer, converse
from .test_fix import GOOD, STATS, TESTS
from .test_requests import code_blocks

LOUD = 'print("LOUD-START")\nprint("y" * 50_000_000)\nprint("LOUD-END")\n'
LOUD_LIGHT_TEST = "\n\ndef test_loud():\n" + "".join(f"    {line}\n" for line in LOUD.splitlines())
LOUD_LIGHT_TEST += "    assert mean([]) == 0.0\n"


def assert_bounded(text: str) -> None:
    assert len(text) <= PROMPT_CHARS, len(text)


def test_a_10mb_local_is_shown_as_a_short_repr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_project(tmp_path / "project", extra='    manifest = "parcel;" * 1_400_000\n')
    conversation = converse(root, [answer(root, GOOD_LINE)], monkeypatch, tmp_path / "state")
    assert conversation.result.verified
    first = conversation.first
    assert_bounded(first)
    frame = next(
        body for body in conversation.blocks() if body.startswith("test: ") and "frame: " in body
    )
    shown = next(line for line in frame.splitlines() if line.startswith("manifest = "))
    assert shown.startswith("manifest = 'parcel;parcel;")
    assert len(shown) <= LOCAL_CHARS
    assert "kilos = 0" in frame  # the other locals are still there
    assert len(conversation.requests[0].text()) < PROMPT_CHARS + 5_000  # with the system turn


async def _fix_stats(project: Path, tests: tuple[str, ...]) -> FixResult:
    settings = Settings(engine="llm", sandbox="local", budget=120.0, max_turns=1)
    request = FixRequest(
        path=Path("stats.py"),
        root=project,
        settings=settings,
        line_range=LineRange(1, 2),
        tests=tests,
    )
    return await run_fix(request)


def _output_block(blocks: list[str]) -> str:
    """The block of printed output (not the file listing, which shows the print calls)."""
    return next(body for body in blocks if "LOUD-START" in body and " | " not in body)


@pytest.mark.parametrize("runner", ["pytest", "light", "script"])
def test_50mb_of_printed_output_is_cut_head_and_tail(
    runner: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest's capture (a conftest project), the small runner's capture (plain tests), and the
    script runner's (no tests)."""
    root = tmp_path / "project"
    if runner == "pytest":
        write_project(root, tests=LOUD_TEST)
        conversation = converse(root, [answer(root, GOOD_LINE)], monkeypatch, tmp_path / "state")
    else:
        root.mkdir()
        program = STATS if runner == "light" else f"{STATS}\n{LOUD}mean([])\n"
        (root / "stats.py").write_text(program)
        tests: tuple[str, ...] = ()
        if runner == "light":
            (root / "test_stats.py").write_text(TESTS + LOUD_LIGHT_TEST)
            tests = ("test_stats.py",)
        conversation = converse(
            root, [GOOD], monkeypatch, tmp_path / "state", fix=lambda: _fix_stats(root, tests)
        )
    assert conversation.result.verified, conversation.result.reason
    assert_bounded(conversation.first)
    block = _output_block(conversation.blocks())
    assert block.count("LOUD-START") == 1 and block.rstrip().endswith("LOUD-END")
    assert "cut ..." in block  # the middle is cut, with a mark saying so
    assert len(block) < 5_000


def test_500_failing_tests_leave_a_bounded_prompt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_project(tmp_path / "project", tests=MANY_TESTS)
    conversation = converse(root, [answer(root, GOOD_LINE)], monkeypatch, tmp_path / "state")
    assert conversation.result.verified
    first = conversation.first
    assert_bounded(first)
    listing = next(body for _, body in code_blocks(first) if "... and " in body)
    assert len(listing.splitlines()) == MAX_TESTS_LISTED + 1
    assert f"... and {503 - MAX_TESTS_LISTED} more" in listing
    assert "Failing tests (503):" in first
    explained = first.count("What pytest reported for a failing test")
    assert 1 <= explained <= MAX_TESTS_EXPLAINED
    # The other failing test functions are not crowded out by the 500 cases of one.
    for name in ("test_parcel_cost[1500g-DE]", "test_cost_per_kilo_of_a_letter"):
        assert f"test: tests/test_cost.py::{name}" in first, name
    # Every part names a bounded number of them (the one-line report is cut at 4,000 characters).
    assert first.count("test_every_letter_weight[") < 100


def _holds_canary(text: str) -> bool:
    """Whether `text` holds the key in a form a reader could turn back into it."""
    return any(CANARY_KEY.encode() in view for view in decoded_views(text))


def test_a_secret_in_a_local_and_in_the_output_never_reaches_a_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = (
        '    api_token = __import__("pathlib").Path(__file__).with_name("token.txt").read_text()\n'
        '    print("calling the rate service with", api_token, api_token.encode().hex())\n'
    )
    root = write_project(tmp_path / "project", extra=extra)
    (root / "shipping" / "token.txt").write_text(CANARY_KEY)
    conversation = converse(root, [answer(root, GOOD_LINE)], monkeypatch, tmp_path / "state")
    assert conversation.result.verified
    first = conversation.first
    frame = next(body for body in conversation.blocks() if "frame: cost_per_kilo" in body)
    assert "api_token = '[redacted]'" in frame and "kilos = 0" in frame
    printed = next(
        body
        for body in conversation.blocks()
        if body.startswith("test: ") and "--- Captured" in body
    )
    assert "calling the rate service with [redacted] [redacted]" in printed
    for request in conversation.requests:
        assert not _holds_canary(request.text())
    assert not _holds_canary(first)


def test_the_leak_check_sees_the_forms(tmp_path: Path) -> None:
    """The checker of the test above recognises the key raw, hex, reversed and in base64."""
    value = CANARY_KEY.encode()
    for form in (
        CANARY_KEY,
        value.hex(),
        CANARY_KEY[::-1],
        base64.b64encode(b"xy" + value).decode(),
    ):
        assert _holds_canary(f"calling the rate service with {form} now"), form
    assert not _holds_canary("calling the rate service with [redacted] [redacted]")
