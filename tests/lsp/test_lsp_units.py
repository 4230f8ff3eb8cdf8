"""Pure parts of the server, without a client: failure placement, the transcript view, error codes."""

from __future__ import annotations

import json
from pathlib import Path

from fixloop.lsp.checkers import parse_checker, probe_checker, tool_for_source
from fixloop.lsp.documents import TranscriptSource
from fixloop.lsp.errors import CommandError, ErrorCode, error_for
from fixloop.lsp.testplaces import FailingTest, TraceFrame, nodeid_at_line, place_failure
from fixloop.lsp.transcripts import build_view, parse_lines
from fixloop.sandbox.base import SandboxUnavailable
from fixloop.settings import Settings

from .conftest import SANDBOX

ACCOUNTS = """class Account:
    def __init__(self, balance):
        self.balance = balance

    def withdraw(self, amount):
        self.balance -= amount
        return self.balance


def total(values):
    result = 0
    for value in values:
        result += value
    return result
"""
ACCOUNT_TESTS = """import accounts
from accounts import Account


def test_withdraw():
    account = Account(10)
    assert account.withdraw(3) == 7


def test_total_by_module():
    assert accounts.total([1, 2]) == 3


class TestNames:
    def test_total(self):
        values = [1]
        assert values == [2]
"""
FILES = {"accounts.py": ACCOUNTS, "tests/test_accounts.py": ACCOUNT_TESTS}


def read(path: str) -> str | None:
    return FILES.get(path)


def test_method_calls_on_instances_and_module_attributes_are_followed() -> None:
    withdraw = FailingTest("tests/test_accounts.py::test_withdraw", 7, "AssertionError")
    place = place_failure(withdraw, read)
    assert place is not None and (place.module, place.line, place.how) == ("accounts.py", 7, "call")
    by_module = FailingTest("tests/test_accounts.py::test_total_by_module", 11, "AssertionError")
    place = place_failure(by_module, read)
    assert place is not None and (place.line, place.function) == (14, "total")


def test_the_test_name_names_the_tested_function() -> None:
    # No call into the module at all: `test_total` names `total`.
    method = FailingTest("tests/test_accounts.py::TestNames::test_total", 17, "AssertionError")
    place = place_failure(method, read)
    assert place is not None and (place.line, place.how) == (10, "def")


def test_frames_outside_the_workspace_or_in_tests_are_skipped() -> None:
    frames = (
        TraceFrame("tests/test_accounts.py", 7, "test_withdraw"),
        TraceFrame("accounts.py", 6, "withdraw"),
        TraceFrame("/usr/lib/python3.11/decimal.py", 40, "__sub__"),
    )
    failure = FailingTest("tests/test_accounts.py::test_withdraw", 7, "TypeError: x", frames)
    place = place_failure(failure, read)
    assert place is not None and (place.line, place.how) == (6, "frame")
    assert place_failure(FailingTest("missing.py::test_x", 1, ""), read) is None


def test_nodeid_at_line_a_line() -> None:
    assert nodeid_at_line(ACCOUNT_TESTS, "t.py", 6) == "t.py::test_withdraw"
    assert nodeid_at_line(ACCOUNT_TESTS, "t.py", 17) == "t.py::TestNames::test_total"
    assert nodeid_at_line(ACCOUNT_TESTS, "t.py", 1) is None


SOURCE = "def f(x):\n    return x + 1\n\n\nprint(f(1))\n"


def record(kind: str, time: float, **fields: object) -> str:
    return json.dumps({"kind": kind, "time": time, **fields})


def test_transcript_view_diffs_and_times() -> None:
    lines = [
        record("request", 100.0, file="f.py", oracle="python f.py", engines=["offline"], budget=60),
        record("baseline_fresh", 100.5, summary="AssertionError"),
        record("engine", 100.6, name="offline"),
        # Same number of lines: the record rebuilds the change.
        record(
            "candidate",
            101.0,
            origin="op",
            outcome="fails",
            reason="AssertionError",
            lines=[2, 2],
            text="    return x - 1\n\n",
            ms=4,
        ),
        # Two lines inserted: the record cannot rebuild it, so no diff rather than a wrong one.
        record(
            "candidate",
            101.5,
            origin="guard",
            outcome="fails",
            reason="AssertionError",
            lines=[1, 1],
            text="def f(x):\n    if x:\n",
            ms=5,
        ),
        record(
            "candidate",
            102.0,
            origin="const",
            outcome="verified",
            reason="verified: exit 0",
            lines=[2, 2],
            text="    return x + 2\n\n",
            ms=6,
        ),
        "not json",
        record("result", 102.1, verified=True, origin="const"),
    ]
    source = TranscriptSource("/t.jsonl", "file:///w/f.py", SOURCE, "bwrap", "FULL DIFF")
    view = build_view(parse_lines("\n".join(lines)), "/t.jsonl", source)
    assert (view.sandbox, view.budget, view.engines) == ("bwrap", 60.0, ("offline",))
    assert view.proof == "AssertionError -> exit 0" and view.verified is True
    first, inserted, winner = view.attempts
    assert first.seconds == 1.0 and first.engine == "offline" and first.lines == (2, 2)
    assert "-    return x + 1\n+    return x - 1" in first.diff
    assert inserted.diff == "" and inserted.text == "def f(x):\n    if x:\n"
    assert winner.diff == "FULL DIFF"  # the verified fix's own diff
    unknown = build_view(parse_lines("\n".join(lines)), "/t.jsonl", None)
    assert unknown.sandbox == "unknown" and unknown.attempts[0].diff == ""


def test_exceptions_become_codes() -> None:
    missing = error_for(
        ModuleNotFoundError("No module named 'openai'", name="openai.types"), "auto"
    )
    assert (missing.code, missing.data) == (ErrorCode.MISSING_PACKAGE, {"module": "openai"})
    sandbox = error_for(SandboxUnavailable("bwrap is not installed"), "bwrap")
    assert sandbox.result() == {
        "ok": False,
        "code": "sandbox-unavailable",
        "reason": "bwrap is not installed",
        "sandbox": "bwrap",
    }
    assert error_for(RuntimeError("boom"), "auto").code is ErrorCode.INTERNAL
    assert CommandError("bad argument").result()["code"] == "bad-request"
    assert "code" not in CommandError("not an object", code=None).result()


def test_checker_values() -> None:
    assert tool_for_source("Pylance") == "pyright" and tool_for_source("eslint") is None
    parsed = parse_checker({"tool": "ruff", "code": "F821", "line": 3, "message": "x"})
    assert parsed is not None and parsed.code == "F821" and parsed.line == 3
    for bad in (
        {"tool": "pylint", "line": 1, "message": ""},
        {"tool": "ruff", "line": 0, "message": ""},
        5,
    ):
        try:
            parse_checker(bad)
        except CommandError:
            continue
        raise AssertionError(f"accepted {bad!r}")


async def test_checker_probe_asks_the_interpreter_for_user_code(tmp_path: Path) -> None:
    (tmp_path / "pyright.py").write_text("")  # a project file must not pass for the tool
    settings = Settings(sandbox=SANDBOX)
    assert await probe_checker("ruff", settings, tmp_path) is True  # a dev dependency
    assert await probe_checker("pyright", settings, tmp_path) is False
    assert await probe_checker("py_compile", settings, tmp_path) is True
