"""A function that computes its result into a local and never returns it: add `return <local>`.

The candidates return the locals the function computed, the one computed last first (a name
assigned, or changed in place by `out.append(x)` or `out[k] = v`; loop targets are not results).
A function that already returns a value, or yields, is left alone. When an error says `None`
was used as a value (`'NoneType' object is not subscriptable`, `unsupported operand type(s) for
+: 'NoneType' and 'int'`), the functions of this file called on the failing line come first,
then those called on its callers' lines (the `None` may have come in as an argument);
when a test's assertion shows the `None` (`assert None == 5`), the non-returning functions do.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fixloop.repair.edits import body_end, expressions_at, own_nodes, owns_lines
from fixloop.repair.mutate import Mutant
from fixloop.repair.source import SourceView
from fixloop.repair.symptoms import Symptom
from fixloop.spans import Edit

IN_PLACE_METHODS = frozenset(("append", "extend", "insert", "add", "update", "setdefault", "sort"))
NONE_USED = re.compile(r"'NoneType' object|NoneType' and|and 'NoneType'")
# pytest's assertion detail when a test compares a result that is None (`assert None == 5`).
NONE_COMPARED = re.compile(r"\bassert None (==|!=|in|is)|(==|!=) None\b")
MAX_RETURNED = 3


def _returns_value(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(n, ast.Return) and n.value is not None for n in own_nodes(node)) or any(
        isinstance(n, (ast.Yield, ast.YieldFrom)) for n in own_nodes(node)
    )


def _computed_locals(view: SourceView, node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """Locals assigned (or changed in place) in the function, the one computed last first.

    Loop and `with` targets are not results; `out.append(x)` and `out[k] = v` count as computing
    `out` there.
    """
    last: dict[str, tuple[int, int]] = {}
    for sub in own_nodes(node):
        if not isinstance(sub, (ast.Name, ast.Attribute, ast.Subscript)):
            continue
        name = None
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            parent = view.parent(sub)
            if not isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension, ast.withitem)):
                name = sub.id
        elif isinstance(sub, (ast.Attribute, ast.Subscript)) and isinstance(sub.value, ast.Name):
            call = view.parent(sub)
            in_place = isinstance(sub, ast.Attribute) and sub.attr in IN_PLACE_METHODS
            if (in_place and isinstance(call, ast.Call) and call.func is sub) or (
                isinstance(sub, ast.Subscript) and isinstance(sub.ctx, ast.Store)
            ):
                name = sub.value.id
        if name is not None and name != "_":
            last[name] = max(last.get(name, (0, 0)), (sub.lineno, sub.col_offset))
    return [name for name, _ in sorted(last.items(), key=lambda item: item[1], reverse=True)]


def missing_return(view: SourceView, line: int) -> Iterator[Mutant]:
    function = view.function_at(line)
    if function is not None:
        yield from _return_locals(view, function.node, cost=3)


def _return_locals(
    view: SourceView, node: ast.FunctionDef | ast.AsyncFunctionDef, *, cost: int
) -> Iterator[Mutant]:
    if _returns_value(node) or node.name == "__init__" or node.body[0].lineno == node.lineno:
        return  # a one-line body (`def f(): x = 1`) has no line to put a return on
    names = _computed_locals(view, node)[:MAX_RETURNED]
    last = node.body[-1]
    if isinstance(last, ast.Return) and owns_lines(view, last):
        a, b = view.span(last)
        for name in names:
            yield Mutant(Edit(a, b, f"return {name}"), f"return {name}", last.lineno, cost)
        return
    at, indent = body_end(view, node)
    if not view.source[:at].endswith("\n"):
        return
    for name in names:
        text = f"{indent}return {name}\n"
        yield Mutant(Edit(at, at, text), f"return {name}", last.end_lineno or last.lineno, cost)


def missing_return_for_symptom(view: SourceView, symptom: Symptom) -> Iterator[Mutant]:
    """`None` used as a value: this file's functions whose result the failing line uses.

    When a test's assertion shows the `None` and the failing line is in the test, every
    function of this file that computes locals but returns nothing is a suspect, in file order.
    """
    functions = {f.name: f.node for f in view.functions}
    if NONE_USED.search(symptom.message) and symptom.line is not None:
        # The `None` may have come in as an argument: the callers' lines, outward, feed it.
        names: list[str] = []
        for line in dict.fromkeys((symptom.line, *symptom.lines)):
            names += _callees_feeding(view, line)
        for name in dict.fromkeys(names):
            if name in functions:
                yield from _return_locals(view, functions[name], cost=2)
    elif NONE_COMPARED.search(symptom.message) and symptom.line is None:
        for function in view.functions:
            yield from _return_locals(view, function.node, cost=2)


def _callees_feeding(view: SourceView, line: int) -> list[str]:
    """Functions called on `line`, then those whose result was bound to a name `line` reads."""
    read = {
        n.id
        for n in expressions_at(view, line)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    function = view.function_at(line)
    scope: ast.AST = function.node if function is not None else view.tree
    on_line: list[str] = []
    feeding: list[tuple[int, str]] = []
    for node in own_nodes(scope):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if node.lineno <= line <= (node.end_lineno or node.lineno):
            on_line.append(name)
        elif node.lineno < line:
            parent = view.parent(node)
            if isinstance(parent, ast.Assign) and parent.value is node:
                if any(isinstance(t, ast.Name) and t.id in read for t in parent.targets):
                    feeding.append((node.lineno, name))
    feeding.sort(reverse=True)  # the latest binding before the use first
    return list(dict.fromkeys(on_line + [name for _, name in feeding]))
