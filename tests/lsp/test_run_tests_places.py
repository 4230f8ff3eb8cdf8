"""Run Tests over stdio: marks in the module where each failure points, and the test file's fix."""

from __future__ import annotations

from pathlib import Path

from fixloop.lsp.edits import apply_text_edit
from lsprotocol import types
from pytest_lsp import LanguageClient

from .helpers import code_actions, open_document, run_command

SHOP = '''"""Prices and grades for the shop."""


def unit_price(total, count):
    return total / count


def average(prices):
    return unit_price(sum(prices), len(prices))


def discount(price, percent):
    return price + price * percent / 100


def grade(score):
    if score >= 90:
        return "A"
    if score > 80:
        return "B"
    return "C"
'''
SHOP_TESTS = """from shop import average, discount, grade


def test_average_of_nothing_is_zero():
    assert average([]) == 0


def test_half_price():
    assert discount(80, 50) == 40


def test_grade_b():
    result = grade(80)
    assert result == "B"


def test_grade_a():
    assert grade(95) == "A"
"""


def marks(client: LanguageClient, uri: str) -> dict[str, types.Diagnostic]:
    """This file's fixloop diagnostics by the test name their message starts with."""
    found = {}
    for diagnostic in client.diagnostics.get(uri, []):
        found[diagnostic.message.split(" ")[0].rsplit("::", 1)[-1]] = diagnostic
    return found


async def test_failures_are_marked_where_they_point_in_the_module(
    client: LanguageClient, workspace: Path
) -> None:
    (workspace / "test_shop.py").write_text(SHOP_TESTS)
    uri = open_document(client, workspace / "shop.py", SHOP)
    result = await run_command(client, "fixloop.runTests", {"uri": uri})
    assert (result.get("passed"), result.get("failed")) == (1, 3), result
    assert result["tests"] == ["test_shop.py"]
    module = marks(client, uri)
    # 1. An exception raised in the module: the deepest frame inside it.
    frame = module["test_average_of_nothing_is_zero"]
    assert frame.range.start.line == 4  # `return total / count`
    assert frame.severity == types.DiagnosticSeverity.Error
    assert "ZeroDivisionError" in frame.message
    # 2. An assertion on a call into the module: where the called function returns its value.
    call = module["test_half_price"]
    assert call.range.start.line == 12  # `return price + price * percent / 100`
    assert call.severity == types.DiagnosticSeverity.Warning
    # 3. An assertion with no call on its line: the tested function's `def` line.
    tested = module["test_grade_b"]
    assert tested.range.start.line == 15  # `def grade(score):`
    assert "grade" in tested.message
    # Each module mark links back to the failing line in the test file.
    test_uri = (workspace / "test_shop.py").as_uri()
    (back,) = call.related_information
    assert back.location.uri == test_uri and back.location.range.start.line == 8
    # The test file marks the failing assertions, each with its test and module as data.
    in_tests = marks(client, test_uri)
    assert {name: d.range.start.line for name, d in in_tests.items()} == {
        "test_average_of_nothing_is_zero": 4,
        "test_half_price": 8,
        "test_grade_b": 13,
    }
    assert in_tests["test_half_price"].data == {
        "test": "test_shop.py::test_half_price",
        "module": uri,
    }
    assert "assert discount(80, 50) == 40" in in_tests["test_half_price"].message


async def test_run_tests_from_a_test_file_runs_it_and_fixes_the_code_under_test(
    client: LanguageClient, workspace: Path
) -> None:
    (workspace / "shop.py").write_text(SHOP)
    (workspace / "test_other.py").write_text("def test_unrelated():\n    assert False\n")
    test_uri = open_document(client, workspace / "test_shop.py", SHOP_TESTS)
    result = await run_command(client, "fixloop.runTests", {"uri": test_uri})
    assert result["tests"] == ["test_shop.py"], result  # that file, not test_other.py
    assert result["failed"] == 3 and result["failures"][1]["module"].endswith("/shop.py")
    half = marks(client, test_uri)["test_half_price"]
    cursor = types.Range(half.range.start, half.range.start)
    (action,) = await code_actions(client, test_uri, cursor, [half])
    assert action.title == "Debug and fix the code under test"
    assert action.command.command == "fixloop.fixTest"
    target = await run_command(client, "fixloop.testTarget", action.command.arguments[0])
    shop_uri = (workspace / "shop.py").as_uri()
    assert target == {
        "ok": True,
        "testUri": test_uri,
        "test": "test_shop.py::test_half_price",
        "module": shop_uri,
    }
    fixed = await run_command(client, "fixloop.fixTest", action.command.arguments[0])
    assert fixed["verified"] is True, fixed
    assert fixed["tests"] == ["test_shop.py::test_half_price"]
    assert fixed["proof"] == "1 failing -> 1/1 tests pass", fixed
    (document_edit,) = fixed["edit"]["documentChanges"]
    assert document_edit["textDocument"]["uri"] == shop_uri  # the module, never the test
    edit = types.TextEdit(
        range=types.Range(
            types.Position(**document_edit["edits"][0]["range"]["start"]),
            types.Position(**document_edit["edits"][0]["range"]["end"]),
        ),
        new_text=document_edit["edits"][0]["newText"],
    )
    assert "return price - price * percent / 100" in apply_text_edit(SHOP, edit)


async def test_test_target_without_a_run_reads_the_test(
    client: LanguageClient, workspace: Path
) -> None:
    """The Testing view knows a test's id and line only; the test's body names the module."""
    (workspace / "shop.py").write_text(SHOP)
    test_uri = open_document(client, workspace / "test_shop.py", SHOP_TESTS)
    by_id = await run_command(
        client, "fixloop.testTarget", {"uri": test_uri, "test": "/abs/test_shop.py::test_grade_b"}
    )
    assert by_id["test"] == "test_shop.py::test_grade_b"
    assert by_id["module"] == (workspace / "shop.py").as_uri()
    by_line = await run_command(client, "fixloop.testTarget", {"uri": test_uri, "line": 9})
    assert by_line["test"] == "test_shop.py::test_half_price"
    not_a_test = await run_command(
        client, "fixloop.testTarget", {"uri": (workspace / "shop.py").as_uri()}
    )
    assert not_a_test["ok"] is False and "not a test file" in not_a_test["reason"]
