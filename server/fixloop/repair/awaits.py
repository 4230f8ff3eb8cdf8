"""A coroutine called without `await`: add the `await`, or `asyncio.run(...)` in synchronous code.

The error names the symptom, not the call: `'coroutine' object is not subscriptable` surfaces
where the value is used, often a line after `r = fetch(x)`. So the guided operator looks at the
calls on the failing line, then at the calls that assigned the names the failing line reads,
then at every other un-awaited call of a coroutine function in the same function, nearest first.
The structural operator adds `await` to calls of this file's own `async def` functions on a
suspicious line. Inside an `async def` the edit is `await call` (parenthesised where `await`
would bind to less than the call); in synchronous code it is `asyncio.run(call)`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fixloop.repair.edits import (
    enclosing,
    expressions_at,
    header_import,
    merged,
    name_for,
    nodes_on,
    own_nodes,
)
from fixloop.repair.mutate import Mutant
from fixloop.repair.source import SourceView
from fixloop.repair.symptoms import Symptom
from fixloop.spans import Edit

NEVER_AWAITED = re.compile(r"coroutine '(?:[\w.]+\.)?(\w+)' was never awaited")
# Calls whose argument is meant to be a coroutine object: not missing an `await`.
SCHEDULERS = frozenset(
    ("run", "create_task", "ensure_future", "gather", "wait_for", "wait", "shield", "as_completed")
)
SCHEDULERS |= {"run_until_complete", "run_coroutine_threadsafe", "start_soon", "start"}


def _coroutine_names(view: SourceView) -> frozenset[str]:
    return frozenset(f.name for f in view.functions if isinstance(f.node, ast.AsyncFunctionDef))


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _calls_coroutine(call: ast.Call, coroutines: frozenset[str]) -> bool:
    """A call of this file's own `async def`: a function, or a method through `self`/`cls`.

    `data.keys()` is not a call of an `async def keys` in this file: its receiver is unknown.
    """
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in coroutines
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in ("self", "cls")
        and func.attr in coroutines
    )


def _scheduled(view: SourceView, call: ast.Call) -> bool:
    """The call is awaited already, or handed to something that schedules or awaits it."""
    parent = view.parent(call)
    if isinstance(parent, (ast.Await, ast.Return, ast.Yield, ast.YieldFrom)):
        return True
    while isinstance(parent, (ast.Call, ast.keyword, ast.Starred, ast.List, ast.Tuple)):
        if isinstance(parent, ast.Call) and _callee(parent) in SCHEDULERS:
            return True
        parent = view.parent(parent)
    return False


def _edit(view: SourceView, call: ast.Call, allow_header: bool) -> tuple[Edit, str] | None:
    """The edit that runs `call` to completion where it stands, and its origin."""
    source = view.source
    start, end = view.span(call)
    function = next(
        enclosing(view, call, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)), None
    )
    if isinstance(function, ast.AsyncFunctionDef):
        parent = view.parent(call)
        tight = (
            isinstance(parent, (ast.Attribute, ast.Subscript))
            and parent.value is call
            or isinstance(parent, ast.Call)
            and parent.func is call
        )
        text = f"(await {source[start:end]})" if tight else f"await {source[start:end]}"
        return Edit(start, end, text), f"await {_callee(call)}()"
    if isinstance(function, ast.Lambda):
        return None
    runner = name_for(view, "asyncio.run")
    if runner is not None:
        return Edit(start, end, f"{runner}({source[start:end]})"), f"asyncio.run({_callee(call)}())"
    if not allow_header:
        return None
    wrapped = Edit(start, end, f"asyncio.run({source[start:end]})")
    return merged(source, [header_import(view, "import asyncio"), wrapped]), (
        f"asyncio.run({_callee(call)}()) with `import asyncio`"
    )


def _mutant(view: SourceView, call: ast.Call, cost: int, allow_header: bool) -> Mutant | None:
    made = _edit(view, call, allow_header)
    if made is None:
        return None
    edit, origin = made
    return Mutant(edit, origin, call.lineno, cost)


def _unawaited_in(view: SourceView, scope: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in own_nodes(scope)
        if isinstance(node, ast.Call) and not _scheduled(view, node)
    ]


def for_symptom(view: SourceView, symptom: Symptom, allow_header: bool) -> Iterator[Mutant]:
    """Add `await` where the error shows a coroutine object used as a value."""
    named = NEVER_AWAITED.search(symptom.message)
    if "'coroutine'" not in symptom.message and named is None:
        return
    coroutines = _coroutine_names(view)
    chosen: list[ast.Call] = []
    if named is not None:
        chosen += [
            node
            for node in ast.walk(view.tree)
            if isinstance(node, ast.Call)
            and _callee(node) == named.group(1)
            and not _scheduled(view, node)
        ]
    for line in symptom.lines or ((symptom.line,) if symptom.line else ()):
        function = view.function_at(line)
        scope: ast.AST = function.node if function is not None else view.tree
        calls = _unawaited_in(view, scope)
        on_line = [c for c in calls if c.lineno <= line <= (c.end_lineno or c.lineno)]
        read = {
            node.id
            for node in expressions_at(view, line)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
        }
        feeding = [c for c in calls if c.lineno < line and _assigns(view, c) & read]
        feeding.sort(key=lambda c: -c.lineno)  # the latest assignment before the use first
        known = [c for c in calls if _calls_coroutine(c, coroutines)]
        known.sort(key=lambda c: (abs(c.lineno - line), c.lineno))
        chosen += [c for c in on_line if _calls_coroutine(c, coroutines)] + feeding + known
    seen: set[int] = set()
    for call in chosen:
        if id(call) in seen:
            continue
        seen.add(id(call))
        mutant = _mutant(view, call, 1, allow_header)
        if mutant is not None:
            yield mutant


def _assigns(view: SourceView, call: ast.Call) -> set[str]:
    """Names bound directly to the call's value (`r = fetch(x)`)."""
    parent = view.parent(call)
    if isinstance(parent, ast.Assign) and parent.value is call:
        return {t.id for t in parent.targets if isinstance(t, ast.Name)}
    if isinstance(parent, (ast.AnnAssign, ast.NamedExpr)) and parent.value is call:
        target = parent.target
        return {target.id} if isinstance(target, ast.Name) else set()
    return set()


def at_line(view: SourceView, line: int) -> Iterator[Mutant]:
    """Calls of this file's coroutine functions on `line` that nothing awaits."""
    coroutines = _coroutine_names(view)
    if not coroutines:
        return
    for node in nodes_on(view, line):
        if (
            isinstance(node, ast.Call)
            and _calls_coroutine(node, coroutines)
            and not _scheduled(view, node)
        ):
            # Synchronous callers need a bigger rewrite (`asyncio.run`): later.
            function = next(enclosing(view, node, (ast.FunctionDef, ast.AsyncFunctionDef)), None)
            cost = 1 if isinstance(function, ast.AsyncFunctionDef) else 3
            mutant = _mutant(view, node, cost, allow_header=False)
            if mutant is not None:
                yield mutant
