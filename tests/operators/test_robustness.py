"""The operators on code they were not written for: this project's own sources and corpus.

An exception inside an operator would end the whole offline search, so every operator runs on
every line of real files, with every kind of message, and every candidate must parse and keep
the text outside its edit.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fixloop.repair import operators
from fixloop.repair.source import SourceView
from fixloop.repair.symptoms import Symptom

from .helpers import checked

REPO = Path(__file__).resolve().parents[2]
MESSAGES = (
    ("TypeError", "'coroutine' object is not subscriptable"),
    ("RuntimeWarning", "coroutine 'run' was never awaited"),
    ("TypeError", "the JSON object must be str, bytes or bytearray, not TextIOWrapper"),
    ("AttributeError", "'str' object has no attribute 'read'"),
    ("AttributeError", "'NoneType' object has no attribute 'group'"),
    ("TypeError", "'NoneType' object is not subscriptable"),
    ("TypeError", "strptime() argument 1 must be str, not datetime.datetime"),
    ("AttributeError", "'str' object has no attribute 'strftime'"),
    ("TypeError", "write() argument must be str, not bytes"),
    ("TypeError", "'int' object is not iterable"),
    ("ValueError", "time data '2024/03/04' does not match format '%Y-%m-%d'"),
    ("ValueError", "unconverted data remains:  10:30"),
    ("ValueError", "invalid literal for int() with base 10: '1;2'"),
    ("ValueError", "not enough values to unpack (expected 2, got 1)"),
    ("ValueError", "too many values to unpack (expected 2)"),
    ("TypeError", "sequence item 0: expected str instance, int found"),
    ("AttributeError", "'list' object has no attribute 'join'"),
    ("KeyError", "'x'"),
    ("AttributeError", "'int' object has no attribute 'upper'"),
    ("AssertionError", "assert '{name}' == 'x'"),
)


def sources() -> list[Path]:
    corpus = sorted((REPO / "tests" / "corpus").glob("*/prog.py"))
    own = sorted((REPO / "server" / "fixloop" / "repair").glob("*.py"))
    return corpus + own


@pytest.mark.parametrize("path", sources(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_operator_on_every_line_of_a_real_file(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    try:
        view = SourceView(source)
    except SyntaxError:
        pytest.skip("a corpus case with a syntax error: the operators need a tree")
    lines = sorted({node.lineno for node in ast.walk(view.tree) if isinstance(node, ast.stmt)})
    # Parsing every candidate of a long file is slow: there, every tenth one is checked.
    stride = 1 if len(source) < 5000 else 10
    # Guided operators run for a handful of errors per search, not for every line: a sample.
    sample = lines[:: max(1, len(lines) // (25 if stride == 1 else 6))]
    produced = [m for line in lines for m in operators.structural_mutants(view, line)]
    for error_type, message in MESSAGES:
        for line in sample:
            symptom = Symptom(error_type, message, line, (line,))
            produced += operators.guided_mutants(view, symptom, True)
    for mutant in produced[::stride]:
        checked(source, mutant)
    # A file of protocol declarations (bodies that are only `...` or a docstring) has nothing
    # to mutate; every other real file of some length must give the operators something.
    assert produced or len(lines) < 10 or not _has_working_code(view.tree), (
        "a real file with no candidate at all"
    )


def _has_working_code(tree: ast.Module) -> bool:
    """True when some function body does more than `...`, `pass` or a docstring."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for statement in node.body:
                if not (
                    isinstance(statement, ast.Pass)
                    or isinstance(statement, ast.Expr)
                    and isinstance(statement.value, ast.Constant)
                ):
                    return True
    return False
