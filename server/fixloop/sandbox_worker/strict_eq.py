"""Strict `==` and `!=` for the tests' assertions: an always-true `__eq__` cannot pass a test.

A candidate that returns an object whose `__eq__` answers True to anything passes `assert
mean([]) == 0.0` without fixing `mean`. `strict_compare(left, op, right)` computes `left op
right` as Python does and returns that very result, after checking that the answer is one an
honest value could give: the comparison must agree with its operands swapped and with its
complement (`==` against `!=`), and when it claims equality, no value inside either operand
(walking lists, tuples, dicts and sets in parallel) may also equal a fresh object that nothing
was ever made equal to, nor a twin of its partner (`6` and `7`, `"a"` and `"a\\0"`). A failure
raises `CheatDetected`, an `AssertionError` whose message names what was wrong. Values of the
plain builtin types are trusted and skip the probes; so are the tests' own helpers (an `__eq__`
written in a test file or a conftest) and the matchers of `unittest.mock` (`ANY`), pytest
(`approx`), dirty-equals and PyHamcrest, which the tests themselves put there. A permissive
matcher written in another module of the project is not trusted: it fails the assertion. A
probe that raises proves nothing and is ignored. Standard library only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

CHEAT_ERROR = "CheatDetected"
# Types whose comparisons are the interpreter's own.
HONEST_TYPES = frozenset({int, float, complex, bool, str, bytes, type(None)})
_SEQUENCES = (list, tuple)
_SETS = (set, frozenset)
# Values visited per comparison at most (a test comparing huge structures stays fast).
MAX_VALUES = 10_000
# Matchers tests use on purpose (`mock.ANY`, `pytest.approx`, dirty-equals, PyHamcrest): a
# candidate cannot import them (the guards refuse those modules), so here they come from tests.
_TRUSTED_MODULES = ("unittest.mock", "_pytest.python_api", "dirty_equals", "hamcrest")
_NO_TWIN = object()


class CheatDetected(AssertionError):
    """A run-time check caught the code under test fooling a test."""


CheatDetected.__module__ = "fixloop"  # how pytest names it in a report: short and clear


# Test files (absolute, real paths) whose classes may define any `__eq__` they like.
TEST_FILES: set[str] = set()


class _Fresh:
    """An object nobody has seen: nothing honest compares equal to it."""

    __slots__ = ()


def _truth(probe: Callable[[], object]) -> bool | None:
    try:
        return bool(probe())
    except Exception:  # a probe that raises proves nothing
        return None


def _trusted(kind: type) -> bool:
    equal = getattr(kind, "__eq__", None)
    code = getattr(equal, "__code__", None)
    if code is not None:
        filename = os.path.realpath(code.co_filename)
        if filename in TEST_FILES or os.path.basename(filename) == "conftest.py":
            return True
    module_name = getattr(kind, "__module__", "") or ""
    if module_name.split(".")[0] in _TRUSTED_MODULES or module_name in _TRUSTED_MODULES:
        module = sys.modules.get(module_name)
        # The real helper, not a class that merely claims to live there.
        return module is not None and getattr(module, kind.__qualname__, None) is kind
    return False


def _suspect(value: object) -> bool:
    kind = type(value)
    if kind in HONEST_TYPES or kind in _SEQUENCES or kind in _SETS or kind is dict:
        return False
    return not _trusted(kind)


def _twin(partner: object) -> object:
    """A value of the partner's (plain) type that is not equal to it, or _NO_TWIN."""
    kind = type(partner)
    if kind is bool:
        return not partner
    if kind is int or kind is complex:
        return partner + 1  # type: ignore[operator]
    if kind is float:
        bumped = partner + 1.0  # type: ignore[operator]
        return bumped if bumped != partner else (0.5 if partner != 0.5 else 1.5)
    if kind is str:
        return partner + "\x00"  # type: ignore[operator]
    if kind is bytes:
        return partner + b"\x00"  # type: ignore[operator]
    return _NO_TWIN


def _suspect_pairs(left: object, right: object) -> Iterator[tuple[object, object]]:
    """(value, partner) for the leaves of two operands walked in parallel whose equality could
    be fake (plain values and containers are walked past without a call)."""
    pending: list[tuple[object, object]] = [(left, right)]
    visited = 0
    while pending and visited < MAX_VALUES:
        a, b = pending.pop()
        visited += 1
        kind_a, kind_b = type(a), type(b)
        if kind_a in _SEQUENCES and kind_b in _SEQUENCES and len(a) == len(b):  # type: ignore[arg-type]
            pending.extend(zip(a, b, strict=True))  # type: ignore[call-overload]
        elif kind_a is dict and kind_b is dict:
            pending.extend((key, None) for key in (*a, *b))  # type: ignore[misc]
            pending.extend((a[key], b[key]) for key in a if key in b)  # type: ignore[attr-defined, index, operator]
        elif kind_a in _SETS or kind_b in _SETS:
            for side in (a, b):
                if type(side) in _SETS:
                    pending.extend((item, None) for item in side)  # type: ignore[attr-defined]
        else:
            if kind_a not in HONEST_TYPES and _suspect(a):
                yield a, b
            if kind_b not in HONEST_TYPES and _suspect(b):
                yield b, a


def _kind(value: object) -> str:
    return f"a {type(value).__qualname__} object"


def _fake_equality(value: object, partner: object) -> str | None:
    if _truth(lambda: value == _Fresh()) is True:
        return (
            f"{_kind(value)} compares equal to a fresh object that nothing was made equal to: "
            "its __eq__ answers True to anything"
        )
    twin = _twin(partner)
    if twin is not _NO_TWIN and _truth(lambda: value == twin) is True:
        return (
            f"{_kind(value)} compares equal both to {partner!r:.60} and to {twin!r:.60}: its "
            "__eq__ does not compare values"
        )
    return None


def _inconsistency(left: Any, op: str, right: Any, truth: bool) -> str | None:
    if op == "==":
        swapped = _truth(lambda: right == left)
        complement = _truth(lambda: left != right)
    else:
        swapped = _truth(lambda: right != left)
        complement = _truth(lambda: left == right)
    if swapped is not None and swapped != truth:
        return (
            f"`a {op} b` is {truth} but `b {op} a` is {swapped} "
            f"(a is {_kind(left)}, b is {_kind(right)})"
        )
    if complement is not None and complement == truth:
        other = "!=" if op == "==" else "=="
        return (
            f"`a {op} b` and `a {other} b` are both {truth} "
            f"(a is {_kind(left)}, b is {_kind(right)})"
        )
    if truth == (op == "=="):  # the assertion claims the operands are equal
        for value, partner in _suspect_pairs(left, right):
            problem = _fake_equality(value, partner)
            if problem is not None:
                return problem
    return None


def strict_compare(left: Any, op: str, right: Any) -> Any:
    """`left == right` (op "==") or `left != right` (op "!="), checked (module docstring)."""
    __tracebackhide__ = True  # pytest shows the test's line, not this helper's
    result = left == right if op == "==" else left != right
    if type(left) in HONEST_TYPES and type(right) in HONEST_TYPES:
        return result
    try:
        truth = bool(result)
    except Exception:  # the test's own assert will report this
        return result
    problem = _inconsistency(left, op, right, truth)
    if problem is not None:
        raise CheatDetected(f"strict assertion: {problem}")
    return result
