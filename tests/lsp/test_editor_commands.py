"""The editor's commands over stdio: discard, quick fixes on other tools' errors, error codes,
the transcript view and the sandbox in use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checker_projects import AVERAGE, AVERAGE_TESTS, TOTAL, TOTAL_TESTS
from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import BUGGY, SANDBOX
from .helpers import code_actions, open_document, run_command, span

CURSOR = span(1, 4, 1, 4)  # inside `return sum(xs) / len(xs)`


def foreign(source: str, severity: types.DiagnosticSeverity, code: str = "E1") -> types.Diagnostic:
    return types.Diagnostic(
        range=span(1, 11, 1, 28),
        message="something is wrong",
        severity=severity,
        source=source,
        code=code,
    )


async def test_discard_forgets_the_fix(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "stats.py", BUGGY)
    fixed = await run_command(client, "fixloop.fix", {"uri": uri, "version": 1})
    assert fixed["verified"] is True, fixed
    (apply,) = await code_actions(client, uri, CURSOR, [])
    assert apply.title.startswith("Apply verified fix")
    # A discard for another version leaves it; one for its version forgets it.
    assert await run_command(client, "fixloop.discard", {"uri": uri, "version": 7}) == {
        "ok": True,
        "discarded": False,
    }
    assert len(await code_actions(client, uri, CURSOR, [])) == 1
    assert await run_command(client, "fixloop.discard", {"uri": uri, "version": 1}) == {
        "ok": True,
        "discarded": True,
    }
    assert await code_actions(client, uri, CURSOR, []) == []
    again = await run_command(client, "fixloop.discard", {"uri": uri, "version": 1})
    assert again["discarded"] is False


async def test_errors_from_other_tools_get_a_quick_fix(
    client: LanguageClient, workspace: Path
) -> None:
    uri = open_document(client, workspace / "stats.py", BUGGY)
    error = types.DiagnosticSeverity.Error
    (pylance,) = await code_actions(client, uri, CURSOR, [foreign("Pylance", error, "reportX")])
    assert pylance.title == "Debug and fix (Fixloop)"
    argument = pylance.command.arguments[0]
    assert argument["checker"] == {
        "tool": "pyright",
        "code": "reportX",
        "line": 2,
        "message": "something is wrong",
    }
    assert argument["scope"] == "function" and argument["version"] == 1
    (other,) = await code_actions(client, uri, CURSOR, [foreign("some-linter", error)])
    assert "checker" not in other.command.arguments[0]  # not a known command-line checker
    warning = foreign("Ruff", types.DiagnosticSeverity.Warning)
    assert await code_actions(client, uri, CURSOR, [warning]) == []  # errors only
    # The checker runs in the sandbox; where the original shows no such diagnostic (the file
    # compiles), the fix is proved by a run of the file and the result says it cleared nothing.
    compile_error = foreign("py_compile", error, "SyntaxError")
    (action,) = await code_actions(client, uri, CURSOR, [compile_error])
    result = await run_command(client, "fixloop.fix", action.command.arguments[0])
    assert result["verified"] is True, result
    checker = result["checker"]
    assert checker["tool"] == "py_compile" and checker["installed"] is True
    assert checker["checked"] is False and checker["status"] == "not shown", checker
    assert "does not report" in checker["note"] and "not shown to clear" in checker["note"]
    # A test file offers no fix for another tool's error: tests are never edited.
    test_uri = open_document(client, workspace / "test_stats.py", "def test_x():\n    assert 1\n")
    assert await code_actions(client, test_uri, CURSOR, [foreign("Pylance", error)]) == []


async def fix_return_value_error(
    client: LanguageClient, uri: str, *, line: int, span_end: int, got: str
) -> dict[str, Any]:
    """Ask for the quick fix on mypy's `[return-value]` error at `line` (0-based), run it, and
    check that it came back verified with the checker's diagnostic cleared in the sandbox."""
    mypy = types.Diagnostic(
        range=span(line, 11, line, span_end),
        message=f'Incompatible return value type (got "{got}", expected "int")',
        severity=types.DiagnosticSeverity.Error,
        source="Mypy",
        code="return-value",
    )
    (action,) = await code_actions(client, uri, span(line, 12, line, 12), [mypy])
    result = await run_command(client, "fixloop.fix", action.command.arguments[0])
    assert result["verified"] is True, result
    checker = result["checker"]
    assert checker["status"] == "cleared" and checker["checked"] is True, checker
    return result


async def test_mypy_error_fix_clears_it_in_the_sandbox(
    client: LanguageClient, workspace: Path
) -> None:
    (workspace / "test_average.py").write_text(AVERAGE_TESTS)
    uri = open_document(client, workspace / "average.py", AVERAGE)
    result = await fix_return_value_error(client, uri, line=4, span_end=30, got="float")
    assert "+    return total // len(values)" in result["diff"]
    checker = result["checker"]
    assert checker["note"].startswith("mypy no longer reports line 5")
    assert "not shown to clear" not in checker["note"]
    assert result["proof"] == "1 failing -> 1/1 tests pass; mypy: [return-value] cleared"
    (apply,) = await code_actions(client, uri, span(4, 12, 4, 12), [])
    assert (
        apply.title.startswith("Apply verified fix")
        and "mypy: [return-value] cleared" in apply.title
    )


async def test_mypy_error_with_passing_tests_is_fixed_in_the_sandbox(
    client: LanguageClient, workspace: Path
) -> None:
    # The code runs and its tests pass: only mypy complains, and that is what gets fixed.
    (workspace / "test_total.py").write_text(TOTAL_TESTS)
    uri = open_document(client, workspace / "total.py", TOTAL)
    result = await fix_return_value_error(client, uri, line=1, span_end=23, got="str")
    assert "-    return str(sum(xs))\n+    return sum(xs)" in result["diff"]
    checker = result["checker"]
    assert checker["note"].startswith("mypy no longer reports line 2")
    assert result["proof"] == "1/1 tests pass -> 1/1 tests pass; mypy: [return-value] cleared"
    (apply,) = await code_actions(client, uri, span(1, 12, 1, 12), [])
    assert "mypy: [return-value] cleared" in apply.title


async def test_error_codes(client: LanguageClient, workspace: Path) -> None:
    uri = open_document(client, workspace / "lonely.py", "print(1)\n")
    no_tests = await run_command(client, "fixloop.runTests", {"uri": uri})
    assert no_tests["code"] == "no-tests" and "fixloop.testCommand" in no_tests["reason"]
    no_transcript = await run_command(client, "fixloop.transcript", {"uri": uri})
    assert no_transcript["code"] == "no-transcript"
    no_model = await run_command(client, "fixloop.task", {"text": "write hello.txt"})
    assert no_model["code"] == "no-model" and no_model["missing"] == ["model", "key"]
    assert "fixloop.model" in no_model["reason"] and "Set API Key" in no_model["reason"]
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"fixloop": {"sandbox": SANDBOX, "model": "m"}})
    )
    key_only = await run_command(
        client, "fixloop.generateTests", {"uri": uri, "version": 1, "range": None}
    )
    assert key_only["code"] == "no-model" and key_only["missing"] == ["key"], key_only
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"fixloop": {"sandbox": SANDBOX, "python": "/nonexistent/bin/python3"}}
        )
    )
    for command, argument in (
        ("fixloop.runFile", {"uri": uri}),
        ("fixloop.fix", {"uri": uri, "version": 1}),
    ):
        unavailable = await run_command(client, command, argument)
        assert unavailable["code"] == "sandbox-unavailable", (command, unavailable)
        assert (
            unavailable["sandbox"] == SANDBOX
            and "/nonexistent/bin/python3" in unavailable["reason"]
        )


async def test_transcript_view_and_sandbox(client: LanguageClient, workspace: Path) -> None:
    sandbox = await run_command(client, "fixloop.sandbox", {})
    assert sandbox["sandbox"] == SANDBOX and sandbox["protected"] is (SANDBOX != "local")
    uri = open_document(client, workspace / "stats.py", BUGGY)
    fixed = await run_command(client, "fixloop.fix", {"uri": uri, "version": 1})
    assert fixed["verified"] is True and fixed["sandbox"] == SANDBOX
    transcript = await run_command(client, "fixloop.transcript", {"uri": uri})
    view = transcript["view"]
    assert view["uri"] == uri and view["file"] == "stats.py"
    assert view["engines"] == ["offline"] and view["budget"] == 60.0
    assert view["sandbox"] == SANDBOX and view["verified"] is True
    assert view["proof"] == fixed["proof"]  # the same proof the fix reported
    attempts = view["attempts"]
    assert attempts and [a["index"] for a in attempts] == list(range(1, len(attempts) + 1))
    seconds = [a["seconds"] for a in attempts]
    assert seconds == sorted(seconds) and 0 <= seconds[0] < 60  # relative to the start
    (winner,) = [a for a in attempts if a["verdict"] == "verified"]
    assert winner["diff"] == fixed["diff"] and winner["diff"].startswith("--- a/stats.py")
    assert winner["summary"] == fixed["summary"] and winner["engine"] == "offline"
    assert any(e["kind"] == "baseline_fresh" for e in view["events"])
    assert transcript["entries"][0]["kind"] == "request"  # the raw lines are still there
