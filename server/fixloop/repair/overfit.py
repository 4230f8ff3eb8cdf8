"""Overfitting: a candidate that special-cases the tests' inputs is refused.

A candidate can pass a test by recognising its input instead of computing the answer:
`or user.id == 9` where the test logs in user 9, `if name in ("alice", "bob")` for the two
names a test uses. Such a candidate compares against a value that appears in the tests and
nowhere in the original target. So a candidate is refused when a comparison for identity or
membership (`==`, `!=`, `in`, `not in`, `is`, `is not`, a `match` case) that the original does
not already hold takes a literal that the tests' source holds and the original target does not.
Trivial values (None, booleans, -1, 0, 1, the empty string, 0.0, 1.0) ask nothing: a base case
compares with them legitimately. An ordering (`<`, `>=`) against a tested value is a threshold,
not a special case, and is left to the tests and the comparison of the leading candidates.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from fixloop import pyast
from fixloop.repair.region import EditRegion

EQUALITY_OPS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Is, ast.IsNot)
MAX_TEST_FILES = 50
MAX_TEST_BYTES = 2_000_000


def _key(value: object) -> str:
    # 1 and True compare equal; the key keeps them apart and names the value for the reason.
    return f"bool:{value}" if isinstance(value, bool) else repr(value)


TRIVIAL = frozenset(_key(v) for v in (None, True, False, -1, 0, 1, "", 0.0, 1.0, -1.0))


def _literals(node: ast.expr) -> Iterator[object]:
    """The literal values `node` is, or holds as a tuple/list/set of literals."""
    if isinstance(node, ast.Constant):
        yield node.value
    elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        for element in node.elts:
            if isinstance(element, ast.Constant):
                yield element.value


def _constants(tree: ast.AST) -> set[str]:
    return {_key(node.value) for node in ast.walk(tree) if isinstance(node, ast.Constant)}


def _compared(tree: ast.AST) -> Iterator[object]:
    """Literals compared for identity or membership anywhere in `tree`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(isinstance(op, EQUALITY_OPS) for op in node.ops):
            for operand in (node.left, *node.comparators):
                yield from _literals(operand)
        elif isinstance(node, ast.MatchValue):
            yield from _literals(node.value)


def read_test_sources(root: Path, tests: Sequence[str]) -> list[str]:
    """The text of the oracle's test files (a folder given as a test counts with its files)."""
    paths: list[Path] = []
    for test in tests:
        path = root / test.split("::")[0]
        if path.is_dir():
            paths.extend(sorted(path.rglob("test_*.py")) + sorted(path.rglob("*_test.py")))
        elif path.is_file():
            paths.append(path)
    texts: list[str] = []
    size = 0
    for path in dict.fromkeys(paths).keys():
        if len(texts) >= MAX_TEST_FILES or size > MAX_TEST_BYTES:
            break
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        texts.append(text)
        size += len(text)
    return texts


class OverfitCheck:
    """Screens candidates of one original target against the literals of its tests."""

    def __init__(self, original: str, tests: Iterable[str]) -> None:
        self.region = EditRegion(original)
        self.original_constants: set[str] = set()
        self.original_compared: set[str] = set()
        if self.region.tree is not None:
            self.original_constants = _constants(self.region.tree)
            self.original_compared = {_key(value) for value in _compared(self.region.tree)}
        self.test_constants: set[str] = set()
        for text in tests:
            try:
                self.test_constants |= _constants(pyast.parse(text))
            except (SyntaxError, ValueError):
                continue

    def screen(self, candidate: str) -> str | None:
        """Why the candidate special-cases a tested value, or None."""
        if not self.test_constants:
            return None
        parts = self.region.trees(candidate)
        if parts is None:
            return None  # it does not parse: the guards report it
        for value in _compared(parts[1]):
            key = _key(value)
            if (
                key not in TRIVIAL
                and key not in self.original_compared
                and key not in self.original_constants
                and key in self.test_constants
            ):
                return (
                    f"overfits: it compares with {key[:60]}, a value found in the tests and "
                    "nowhere in the original"
                )
        return None
