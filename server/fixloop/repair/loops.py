"""Loop operators: targets unpacked in the wrong order, and an initialisation on the wrong side.

`for x, i in enumerate(xs)` and `for v, k in d.items()` bind each name to the other's value; the
operator swaps the two targets of a loop (or comprehension) over `enumerate`, `.items()` or a
two-way `zip`. An error raised inside such a loop that says a value has the wrong type (`'int'
object is not subscriptable`, `cannot unpack non-iterable int object`) guides the search there
first. An accumulator reset as the first statement of a loop body (`total = 0` inside the loop
that adds to it) is moved before the loop; an accumulator initialised just before a loop whose
body holds the loop that fills it is moved into that body, so each outer round starts afresh.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fixloop.repair.edits import (
    block_span,
    enclosing,
    merged,
    nodes_on,
    owns_lines,
    reindented,
)
from fixloop.repair.mutate import Mutant
from fixloop.repair.source import SourceView
from fixloop.repair.symptoms import Symptom
from fixloop.spans import Edit

Loop = ast.For | ast.AsyncFor | ast.While
WRONG_VALUE = re.compile(
    r"cannot unpack non-iterable|object is not (subscriptable|iterable|callable)"
    r"|indices must be integers|unsupported operand|has no attribute|can only concatenate"
    r"|not supported between|must be str, not|object cannot be interpreted as an integer"
)
MOVED_STATEMENTS = 2  # how many leading statements of a body are looked at as resets
CONTAINER_FACTORIES = ("list", "dict", "set", "str", "int", "float", "defaultdict", "deque")


def _pairs_loop(node: ast.AST) -> tuple[ast.expr, ast.expr] | None:
    """The two name targets of a loop over enumerate(...), .items() or zip(a, b)."""
    if not isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
        return None
    target, source = node.target, node.iter
    if not (isinstance(target, ast.Tuple) and len(target.elts) == 2):
        return None
    if not isinstance(source, ast.Call):
        return None
    func = source.func
    pairs = (
        isinstance(func, ast.Name)
        and (func.id == "enumerate" or (func.id == "zip" and len(source.args) == 2))
        or isinstance(func, ast.Attribute)
        and func.attr == "items"
    )
    return (target.elts[0], target.elts[1]) if pairs else None


def _swap(view: SourceView, node: ast.AST) -> Mutant | None:
    pair = _pairs_loop(node)
    if pair is None:
        return None
    first, second = pair
    a, b = view.span(first)
    c, d = view.span(second)
    text = view.text(second) + view.source[b:c] + view.text(first)
    origin = f"loop targets {view.text(first)}, {view.text(second)} swapped"
    return Mutant(Edit(a, d, text), origin, first.lineno, 2)


def _loops_around(view: SourceView, line: int) -> list[ast.AST]:
    """Loops and comprehensions whose header is on `line`, then those enclosing it, innermost first."""
    found: list[ast.AST] = [
        s for s in view.statements_on(line)[:1] if isinstance(s, (ast.For, ast.AsyncFor))
    ]
    found += [node for node in nodes_on(view, line) if isinstance(node, ast.comprehension)]
    statements = view.statements_on(line)
    if statements:
        found += list(enclosing(view, statements[0], (ast.For, ast.AsyncFor)))
    return found


def targets_at_line(view: SourceView, line: int) -> Iterator[Mutant]:
    for node in _loops_around(view, line)[:3]:
        mutant = _swap(view, node)
        if mutant is not None:
            yield mutant


def targets_for_symptom(view: SourceView, symptom: Symptom) -> Iterator[Mutant]:
    if symptom.line is None or not WRONG_VALUE.search(symptom.message):
        return
    for mutant in targets_at_line(view, symptom.line):
        yield Mutant(mutant.edit, mutant.origin, mutant.line, 1)


# ---- initialisation inside or before a loop ----------------------------------------------------


def _reset_name(statement: ast.stmt) -> str | None:
    """`name` when the statement is `name = <empty or constant>`."""
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
        return None
    target, value = statement.targets[0], statement.value
    if not isinstance(target, ast.Name):
        return None
    empty = (
        isinstance(value, ast.Constant)
        or isinstance(value, (ast.List, ast.Dict, ast.Set, ast.Tuple))
        and not getattr(value, "elts", getattr(value, "keys", None))
        or _fresh_container(value)
    )
    return target.id if empty else None


def _fresh_container(value: ast.expr) -> bool:
    """A constructor called with nothing but a factory name: `list()`, `Counter()`,
    `defaultdict(list)`, `collections.OrderedDict()` (a new, empty accumulator)."""
    if not isinstance(value, ast.Call) or value.keywords:
        return False
    func = value.func
    called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    # A class by its name (`Counter`, `OrderedDict`), or a builtin or collections factory:
    # not any call without arguments (`queue.popleft()` is no new accumulator).
    if not (called[:1].isupper() or called in CONTAINER_FACTORIES):
        return False
    if value.args and called not in ("defaultdict",):
        return False
    return all(isinstance(argument, (ast.Name, ast.Attribute)) for argument in value.args)


def _accumulates(name: str, body: list[ast.stmt]) -> bool:
    """The statements change `name` from its own value: `+=`, `.append(...)`, `name[k] = ...`."""
    for statement in body:
        for node in ast.walk(statement):
            if isinstance(node, ast.AugAssign) and getattr(node.target, "id", None) == name:
                return True
            if isinstance(node, (ast.Attribute, ast.Subscript)) and (
                getattr(node.value, "id", None) == name
                and (isinstance(node, ast.Attribute) or isinstance(node.ctx, ast.Store))
            ):
                return True
            if isinstance(node, ast.Assign) and any(
                getattr(t, "id", None) == name for t in node.targets
            ):
                if any(getattr(n, "id", None) == name for n in ast.walk(node.value)):
                    return True
    return False


def _move_before(view: SourceView, loop: ast.stmt, statement: ast.stmt) -> Mutant:
    start, end = block_span(view, statement)
    block = reindented(
        view.source[start:end], view.indent_of(statement.lineno), view.indent_of(loop.lineno)
    )
    at = view.line_start(loop.lineno)
    edit = merged(view.source, [Edit(at, at, block), Edit(start, end, "")])
    name = _reset_name(statement)
    return Mutant(edit, f"initialise {name} before the loop", statement.lineno, 3)


def _move_into(view: SourceView, loop: Loop, statement: ast.stmt) -> Mutant | None:
    first = loop.body[0]
    if first.lineno == loop.lineno:
        return None
    start, end = block_span(view, statement)
    block = reindented(
        view.source[start:end], view.indent_of(statement.lineno), view.indent_of(first.lineno)
    )
    at = view.line_start(first.lineno)
    edit = merged(view.source, [Edit(start, end, ""), Edit(at, at, block)])
    name = _reset_name(statement)
    return Mutant(edit, f"initialise {name} inside the loop", statement.lineno, 3)


def _resets_in(loop: Loop) -> Iterator[ast.stmt]:
    for statement in loop.body[:MOVED_STATEMENTS]:
        name = _reset_name(statement)
        if name and _accumulates(name, loop.body):
            yield statement


def initialisations_at_line(view: SourceView, line: int) -> Iterator[Mutant]:
    statements = view.statements_on(line)
    if not statements:
        return
    statement = statements[0]
    loops: list[Loop] = [s for s in statements if isinstance(s, (ast.For, ast.AsyncFor, ast.While))]
    loops += [
        loop
        for loop in enclosing(view, statement, (ast.For, ast.AsyncFor, ast.While))
        if isinstance(loop, (ast.For, ast.AsyncFor, ast.While))
    ][:2]
    for loop in loops:
        for reset in _resets_in(loop):
            if owns_lines(view, reset):
                yield _move_before(view, loop, reset)
        yield from _into(view, loop)


def _into(view: SourceView, loop: Loop) -> Iterator[Mutant]:
    """The statement just before `loop` resets what an inner loop accumulates: move it in."""
    parent = view.parent(loop)
    siblings = getattr(parent, "body", None)
    if not isinstance(siblings, list) or loop not in siblings:
        return
    index = siblings.index(loop)
    for previous in reversed(siblings[max(0, index - MOVED_STATEMENTS) : index]):
        name = _reset_name(previous)
        inner = [
            node
            for node in ast.walk(loop)
            if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and node is not loop
        ]
        if not name or not owns_lines(view, previous):
            continue
        # Into an outer loop whose inner loop fills it, or into the loop that fills it and
        # hands it on each round (`out.append(current)`): either wants a fresh one per round.
        filled_inside = any(_accumulates(name, i.body) for i in inner)
        if filled_inside or (_accumulates(name, loop.body) and _handed_on(name, loop.body)):
            mutant = _move_into(view, loop, previous)
            if mutant is not None:
                yield mutant


def _handed_on(name: str, body: list[ast.stmt]) -> bool:
    """`name` itself is stored somewhere in the body: an argument, an element, a value."""
    for statement in body:
        for node in ast.walk(statement):
            values: list[ast.expr] = []
            if isinstance(node, ast.Call):
                values = [*node.args, *(k.value for k in node.keywords)]
            elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
                values = list(node.elts)
            elif isinstance(node, ast.Assign):
                values = [node.value]
            if any(isinstance(v, ast.Name) and v.id == name for v in values):
                return True
            # Or a value computed from it is stored per round (`out[k] = summary(name)`): each
            # round's result reads what that round accumulated.
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Subscript) for t in node.targets)
                and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node.value))
            ):
                return True
    return False
