"""The checker oracle's reading of each tool's output and its judgement of a candidate.

The outputs are the tools' real formats (ruff's and pyright's JSON, mypy's text lines, the
compile program's JSON); `test_checker_cli` runs the tools themselves in the sandbox.
"""

from __future__ import annotations

import json
from pathlib import Path

from fixloop.checker_evasion import evasion, silences_checker
from fixloop.checker_oracle import (
    CheckerDiagnostic,
    CheckerOracle,
    CheckerRun,
    CheckerTarget,
    find_target,
    read_checker_run,
)
from fixloop.sandbox.base import Limits, RunResult, Status
from fixloop.spans import LineRange


def run_result(
    stdout: str, code: int = 1, stderr: str = "", status: Status = Status.ERROR
) -> RunResult:
    return RunResult(status, code, stdout, stderr, False, 10, "local")


def test_mypy_lines_of_the_target_only() -> None:
    out = (
        'pkg/helper.py:3: error: Name "x" is not defined  [name-defined]\n'
        'app.py:5: error: Incompatible return value type (got "float", expected "int")  '
        "[return-value]\n"
        "app.py:5: note: See https://example.invalid/docs\n"
        'app.py:9:12: error: Argument 1 has incompatible type "None"  [arg-type]\n'
    )
    run = read_checker_run("mypy", "app.py", run_result(out))
    assert run.status == "ran"
    assert [(d.code, d.line, d.severity) for d in run.diagnostics] == [
        ("return-value", 5, "error"),
        (None, 5, "note"),
        ("arg-type", 9, "error"),
    ]
    crashed = read_checker_run("mypy", "app.py", run_result("", code=2, stderr="usage"))
    assert crashed.status == "failed"
    missing = run_result("", stderr="/usr/bin/python3: No module named mypy")
    assert read_checker_run("mypy", "app.py", missing).status == "missing"
    slow = run_result("", code=None, status=Status.TIMEOUT)  # type: ignore[arg-type]
    assert read_checker_run("mypy", "app.py", slow).status == "failed"


def test_ruff_pyright_and_compile_json() -> None:
    ruff = [
        {
            "code": "F821",
            "message": "Undefined name `subtotl`",
            "location": {"row": 3, "column": 12},
        },
        {"code": None, "message": "SyntaxError: Expected ':'", "location": {"row": 5, "column": 1}},
    ]
    run = read_checker_run("ruff", "a.py", run_result(json.dumps(ruff), code=0))
    assert [(d.code, d.line) for d in run.diagnostics] == [("F821", 3), (None, 5)]
    pyright = {
        "generalDiagnostics": [
            {
                "file": "/w/a.py",
                "severity": "error",
                "message": 'Type "None" is not assignable to "int"',
                "range": {"start": {"line": 6, "character": 4}, "end": {"line": 6, "character": 8}},
                "rule": "reportReturnType",
            },
            {
                "file": "/w/a.py",
                "severity": "information",
                "message": "unused",
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
            },
        ]
    }
    run = read_checker_run("pyright", "a.py", run_result(json.dumps(pyright)))
    assert [(d.code, d.line, d.severity) for d in run.diagnostics] == [
        ("reportReturnType", 7, "error"),
        (None, 1, "note"),
    ]
    compiled = '[{"code": "SyntaxError", "line": 4, "message": "expected \':\'"}]\n'
    run = read_checker_run("py_compile", "a.py", run_result(compiled, code=0, status=Status.OK))
    assert run.diagnostics == (CheckerDiagnostic("SyntaxError", 4, "expected ':'"),)
    garbled = read_checker_run("ruff", "a.py", run_result("not json", code=2))
    assert garbled.status == "failed" and "no readable output" in garbled.note


DIAGNOSTICS = CheckerRun(
    "ran",
    (
        CheckerDiagnostic("arg-type", 4, 'Argument 1 has incompatible type "None"'),
        CheckerDiagnostic("arg-type", 20, 'Argument 2 has incompatible type "str"'),
        CheckerDiagnostic("misc", 21, "something else", "warning"),
    ),
)


def test_find_target_by_code_line_and_message() -> None:
    assert (
        find_target(CheckerTarget("mypy", "arg-type", 6), DIAGNOSTICS) == DIAGNOSTICS.diagnostics[0]
    )
    assert find_target(CheckerTarget("mypy", "arg-type", 12), DIAGNOSTICS) is None  # too far
    by_message = CheckerTarget("mypy", "arg-type", 12, 'Argument 2 has incompatible type "str"')
    assert find_target(by_message, DIAGNOSTICS) == DIAGNOSTICS.diagnostics[1]
    assert find_target(CheckerTarget("mypy", "misc", 4), DIAGNOSTICS) is None
    assert find_target(CheckerTarget("mypy"), DIAGNOSTICS) == DIAGNOSTICS.diagnostics[0]
    in_range = find_target(CheckerTarget("mypy"), DIAGNOSTICS, LineRange(15, 25))
    assert in_range == DIAGNOSTICS.diagnostics[1]


ORIGINAL = "".join(f"line{n}\n" for n in range(1, 31))


def oracle() -> CheckerOracle:
    required = DIAGNOSTICS.diagnostics[0]
    return CheckerOracle("mypy", required, DIAGNOSTICS, ORIGINAL, Path("."), "a.py", Limits())


def test_judge_follows_the_line_and_refuses_new_errors() -> None:
    # Two lines inserted above line 4: the diagnostic there would now be on line 6.
    edited = "head1\nhead2\n" + ORIGINAL.replace("line4\n", "line4 edited\n")
    others = tuple(
        CheckerDiagnostic(d.code, d.line + 2, d.message, d.severity)
        for d in DIAGNOSTICS.diagnostics[1:]
    )
    assert oracle().judge(edited, CheckerRun("ran", others)) is None
    still = CheckerRun("ran", (CheckerDiagnostic("arg-type", 6, "other wording"), *others))
    assert "still reports line 6" in (oracle().judge(edited, still) or "")
    far = CheckerRun("ran", (CheckerDiagnostic("arg-type", 25, "moved far away"), *others))
    assert "new error [arg-type] at line 25" in (oracle().judge(edited, far) or "")
    # A new warning is not an error; a new error of another code is refused.
    warned = CheckerRun("ran", (*others, CheckerDiagnostic("misc", 2, "hm", "warning")))
    assert oracle().judge(edited, warned) is None
    added = CheckerRun("ran", (*others, CheckerDiagnostic("name-defined", 1, 'Name "q"')))
    assert "new error [name-defined]" in (oracle().judge(edited, added) or "")


def test_suppression_comments_added_by_a_candidate_are_found() -> None:
    original = "x = compute()  # noqa: E501\n"
    assert silences_checker(original, original + "y = 2\n") is None  # kept, not added
    assert silences_checker(original, "x = compute()  # type: ignore[arg-type]\n") == (
        "# type: ignore"
    )
    assert silences_checker(original, original + "z = 1  # NOQA\n") == "# noqa"
    assert silences_checker("", "@typing.no_type_check\ndef f(): ...\n") == "no_type_check"
    assert silences_checker("", "# pyright: basic\n") == "# pyright:"
    assert silences_checker("", "# mypy: ignore-errors\n") == "# mypy:"


TYPED = """def average(values: list[int]) -> int:
    return sum(values) // len(values)


class Box:
    def size(self, scale: float) -> float:
        return scale
"""


def test_type_checker_escapes_are_found() -> None:
    def edit(old: str, new: str) -> str:
        assert old in TYPED
        return TYPED.replace(old, new)

    assert evasion("mypy", TYPED, edit("// len", "// max(1, len")[:-1] + ")\n") is None
    assert evasion("mypy", TYPED, edit("-> int:", ":")) == (
        "removes the annotation of 'return' in average()"
    )
    assert evasion("pyright", TYPED, edit("scale: float)", "scale)")) == (
        "removes the annotation of 'scale' in Box.size()"
    )
    assert evasion("mypy", TYPED, edit("list[int]", "Any")) == "adds 'Any'"
    assert evasion("mypy", TYPED, edit("return scale", "return cast(float, scale)")) == (
        "adds 'cast'"
    )
    guarded = edit("def average", "if TYPE_CHECKING:\n    pass\n\n\ndef average")
    assert evasion("mypy", TYPED, guarded) == "adds 'TYPE_CHECKING'"
    # ruff does not check types: a cast is none of its business, a noqa is.
    assert evasion("ruff", TYPED, edit("return scale", "return cast(float, scale)")) is None
    assert evasion("ruff", TYPED, edit("return scale", "return scale  # noqa")) == "adds '# noqa'"
