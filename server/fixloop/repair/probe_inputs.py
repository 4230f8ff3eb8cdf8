"""Inputs to tell plausible candidates apart, derived from the tests' own calls into the target.

The tests' source names calls into the target's top-level functions with literal arguments
(`mean([1, 2, 3])`, or `describe(case)` under `@pytest.mark.parametrize("case", [...])`, one
call per row). Those calls, and inputs next to them, are what the comparison of the leading
candidates runs (`fixloop.repair.compare`):
- the tests' calls themselves;
- neighbours of each argument: an integer or float plus and minus one and negated; a string,
  list or tuple empty, cut to one element, and reversed; a boolean negated; a dict empty;
- the other tests' values: each argument replaced by the value another call of the same
  function passes in the same place.
A call made by a test that passed on the original (and the inputs derived from it) is marked
`from_passing`: there the original is trusted. The order is deterministic and the count bounded.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from fixloop import pyast

MAX_INPUTS = 48
MAX_LITERAL_CHARS = 400


@dataclass(frozen=True)
class ProbeCall:
    function: str
    args: tuple[str, ...]  # literal source of each positional argument
    kwargs: tuple[tuple[str, str], ...]  # (name, literal source)
    from_passing: bool = False

    def text(self) -> str:
        parts = [*self.args, *(f"{name}={value}" for name, value in self.kwargs)]
        return f"{self.function}({', '.join(parts)})"


def target_functions(source: str) -> frozenset[str]:
    """The target's top-level (non-async) functions."""
    try:
        tree = pyast.parse(source)
    except (SyntaxError, ValueError):
        return frozenset()
    return frozenset(node.name for node in tree.body if isinstance(node, ast.FunctionDef))


def _literal(node: ast.expr) -> str | None:
    """The literal's source, normalised, or None when `node` is not a literal."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    text = repr(value)
    return text if len(text) <= MAX_LITERAL_CHARS else None


def _parametrized_rows(function: ast.FunctionDef) -> list[dict[str, ast.expr]]:
    """The rows of `@pytest.mark.parametrize("a, b", [...])` decorators, as name -> node."""
    rows: list[dict[str, ast.expr]] = [{}]
    for decorator in function.decorator_list:
        if not (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "parametrize"
            and len(decorator.args) >= 2
            and isinstance(decorator.args[0], ast.Constant)
            and isinstance(decorator.args[0].value, str)
            and isinstance(decorator.args[1], (ast.List, ast.Tuple))
        ):
            continue
        names = [n.strip() for n in decorator.args[0].value.split(",") if n.strip()]
        values: list[dict[str, ast.expr]] = []
        for row in decorator.args[1].elts:
            items = row.elts if len(names) > 1 and isinstance(row, (ast.Tuple, ast.List)) else [row]
            if len(items) == len(names):
                values.append(dict(zip(names, items, strict=True)))
        rows = [{**old, **new} for old in rows for new in values] or rows
    return rows


def _called(node: ast.Call, functions: frozenset[str]) -> str | None:
    func = node.func
    if isinstance(func, ast.Name) and func.id in functions:
        return func.id
    if isinstance(func, ast.Attribute) and func.attr in functions:
        return func.attr
    return None


def _calls_in(
    test: ast.FunctionDef, functions: frozenset[str], passing: bool
) -> Iterator[ProbeCall]:
    for row in _parametrized_rows(test):
        for node in ast.walk(test):
            if not isinstance(node, ast.Call) or (name := _called(node, functions)) is None:
                continue
            if any(isinstance(a, ast.Starred) for a in node.args) or any(
                k.arg is None for k in node.keywords
            ):
                continue
            args = [_literal(row.get(a.id, a) if isinstance(a, ast.Name) else a) for a in node.args]
            kwargs = [
                (
                    k.arg,
                    _literal(
                        row.get(k.value.id, k.value) if isinstance(k.value, ast.Name) else k.value
                    ),
                )
                for k in node.keywords
                if k.arg is not None
            ]
            if any(a is None for a in args) or any(v is None for _, v in kwargs):
                continue
            yield ProbeCall(
                name,
                tuple(a for a in args if a is not None),
                tuple((k, v) for k, v in kwargs if v is not None),
                passing,
            )


def _test_functions(tree: ast.Module) -> Iterator[ast.FunctionDef]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            yield node
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name.startswith("test"):
                    yield item


def calls_in_tests(
    tests: Sequence[str], functions: frozenset[str], passed_tests: frozenset[str]
) -> list[ProbeCall]:
    """The calls into `functions` with literal arguments in the tests' source, in order;
    `passed_tests` are the names of the test functions that passed on the original."""
    calls: list[ProbeCall] = []
    for text in tests:
        try:
            tree = pyast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for test in _test_functions(tree):
            calls.extend(_calls_in(test, functions, test.name in passed_tests))
    return list(dict.fromkeys(calls))


def _neighbours(literal: str) -> Iterator[str]:
    value = ast.literal_eval(literal)
    if isinstance(value, bool):
        yield repr(not value)
    elif isinstance(value, (int, float)):
        yield from (repr(value + 1), repr(value - 1))
        if value:
            yield repr(-value)
    elif isinstance(value, (str, list, tuple)):
        if value:
            yield repr(value[:0])
            yield repr(value[:1])
            yield repr(value[::-1])
    elif isinstance(value, dict) and value:
        yield repr({})


def derived_inputs(calls: Sequence[ProbeCall], limit: int = MAX_INPUTS) -> list[ProbeCall]:
    """The tests' calls, then neighbours of their arguments, then other tests' values in their
    places: distinct, at most `limit`."""
    chosen: dict[str, ProbeCall] = {}

    def add(call: ProbeCall) -> None:
        key = call.text()
        if key not in chosen and len(chosen) < limit:
            chosen[key] = call
        elif key in chosen and call.from_passing and not chosen[key].from_passing:
            chosen[key] = call

    for call in calls:
        add(call)
    for call in calls:
        for index, literal in enumerate(call.args):
            for other in _neighbours(literal):
                add(
                    ProbeCall(
                        call.function, _put(call.args, index, other), call.kwargs, call.from_passing
                    )
                )
    for call in calls:
        for other_call in calls:
            if other_call.function != call.function or other_call is call:
                continue
            for index, literal in enumerate(other_call.args[: len(call.args)]):
                add(
                    ProbeCall(
                        call.function,
                        _put(call.args, index, literal),
                        call.kwargs,
                        call.from_passing,
                    )
                )
    return list(chosen.values())


def _put(args: tuple[str, ...], index: int, value: str) -> tuple[str, ...]:
    return (*args[:index], value, *args[index + 1 :])
