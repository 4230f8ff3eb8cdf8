"""Shared mutable state: a mutable default argument, and a mutable class attribute.

A mutable default argument (`def add(x, into=[])`) is created once and shared by every call: it
becomes `None`, with `if into is None: into = []` at the top of the body. A mutable class
attribute (`items = []` in the class body) is shared by every instance: it is initialised in
`__init__` instead (which is created when missing), and the class-level line goes unless
something reads it on the class. Several such attributes that instances change in place move
together, and `shared_class_state` proposes them for every class of the file whatever the
error (the failure often shows far from the class). In a dataclass the default becomes `field(default_factory=...)`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fixloop.repair.edits import (
    INDENT,
    block_span,
    body_insertion,
    enclosing,
    merged,
    name_for,
    owns_lines,
)
from fixloop.repair.mutate import Mutant
from fixloop.repair.source import SourceView
from fixloop.spans import Edit

MUTABLE_CALLS = ("list", "dict", "set", "defaultdict", "deque", "OrderedDict", "Counter")
# The factory that makes a fresh copy of an empty value, for `default_factory`/`defaultdict`.
FACTORY_FOR_EMPTY = {"[]": "list", "set()": "set", "{}": "dict", "0": "int", "''": "str"}


def _is_mutable(node: ast.expr | None) -> bool:
    if isinstance(node, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in MUTABLE_CALLS
    return False


# ---- mutable default arguments ----------------------------------------------------------------


def mutable_defaults(view: SourceView, line: int) -> Iterator[Mutant]:
    function = view.function_at(line)
    if function is None:
        return
    node = function.node
    where = body_insertion(view, node)
    if where is None:
        return
    at, indent = where
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(
        zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
    )
    pairs += [
        (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
    ]
    for arg, default in pairs:
        if not _is_mutable(default):
            continue
        a, b = view.span(default)
        fresh = f"{indent}if {arg.arg} is None:\n{indent}{INDENT}{arg.arg} = {view.text(default)}\n"
        edit = merged(view.source, [Edit(a, b, "None"), Edit(at, at, fresh)])
        yield Mutant(edit, f"default {arg.arg}=None, a fresh one per call", node.lineno, 2)


# ---- mutable class attributes ------------------------------------------------------------------


def mutable_class_attributes(view: SourceView, line: int) -> Iterator[Mutant]:
    classes = list(enclosing(view, _node_at(view, line), (ast.ClassDef,)))
    function = view.function_at(line)
    if function is not None:
        parent = view.parent(function.node)
        if isinstance(parent, ast.ClassDef):
            classes = [parent]
    for cls in classes[:1]:
        assert isinstance(cls, ast.ClassDef)
        if any(_decorator_name(d) == "dataclass" for d in cls.decorator_list):
            yield from _dataclass_fields(view, cls)
            continue
        yield from _shared_attributes(view, cls)


def shared_class_state(view: SourceView) -> Iterator[Mutant]:
    """Every class of the file whose instances change a mutable class attribute in place
    (`self.items.append(x)`, `self.counts[k] = v`): the attribute is shared by all instances,
    which is almost never meant. Proposed whatever the error, since the failure often shows
    far from the class (one instance sees what another one added)."""
    for node in ast.walk(view.tree):
        if not isinstance(node, ast.ClassDef):
            continue
        if any(_decorator_name(d) == "dataclass" for d in node.decorator_list):
            continue
        moved = [
            (statement, name, value)
            for statement, name, value in _mutable_attributes(view, node)
            if _changed_on_instances(node, name)
        ]
        if moved:
            yield from _move_to_init(view, node, moved)


def _mutable_attributes(view: SourceView, cls: ast.ClassDef) -> list[tuple[ast.stmt, str, str]]:
    """(statement, name, value) of the class-level mutable attributes used on instances."""
    found = []
    for statement in cls.body:
        name, value = _class_attribute(statement)
        if name and value is not None and _is_mutable(value) and _used_on_instances(cls, name):
            found.append((statement, name, view.text(value)))
    return found


def _shared_attributes(view: SourceView, cls: ast.ClassDef) -> Iterator[Mutant]:
    attributes = _mutable_attributes(view, cls)
    changed = [a for a in attributes if _changed_on_instances(cls, a[1])]
    if len(changed) > 1:
        # Several shared the same way: fixing one leaves the others shared, so they move
        # together (one at a time would pass tests that only show the first).
        yield from _move_to_init(view, cls, changed)
        return
    for attribute in attributes:
        yield from _move_to_init(view, cls, [attribute])


IN_PLACE = frozenset(("append", "extend", "insert", "add", "update", "setdefault", "remove"))
IN_PLACE |= {"pop", "clear", "discard", "popitem", "appendleft", "sort"}


def _changed_on_instances(cls: ast.ClassDef, name: str) -> bool:
    """`self.<name>` changed in place: a method that mutates it, or an item stored into it."""

    def on_self(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and node.attr == name
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        )

    for node in ast.walk(cls):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in IN_PLACE and on_self(node.func.value):
                return True
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)):
            if on_self(node.value):
                return True
    return False


def _node_at(view: SourceView, line: int) -> ast.AST:
    statements = view.statements_on(line)
    return statements[0] if statements else view.tree


def _decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    return target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")


def _class_attribute(statement: ast.stmt) -> tuple[str, ast.expr | None]:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        if isinstance(target, ast.Name):
            return target.id, statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id, statement.value
    return "", None


def _used_on_instances(cls: ast.ClassDef, name: str) -> bool:
    return any(
        isinstance(node, ast.Attribute)
        and node.attr == name
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        for node in ast.walk(cls)
    )


def _read_on_class(view: SourceView, cls: ast.ClassDef, name: str) -> bool:
    owners = {cls.name, "cls"}
    for node in ast.walk(view.tree):
        if isinstance(node, ast.Attribute) and node.attr == name:
            value = node.value
            if isinstance(value, ast.Name) and value.id in owners:
                return True
            if isinstance(value, ast.Call) and getattr(value.func, "id", "") == "type":
                return True
    return False


def _move_to_init(
    view: SourceView, cls: ast.ClassDef, attributes: list[tuple[ast.stmt, str, str]]
) -> Iterator[Mutant]:
    """Initialise `attributes` (statement, name, value) in `__init__`: without the class-level
    lines, then with them kept."""
    init = next(
        (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
    )
    first_statement = attributes[0][0]
    edits: list[Edit] = []
    if init is not None:
        where = body_insertion(view, init)
        if where is None or not init.args.args:
            return
        at, indent = where
        self_name = init.args.args[0].arg
        lines = "".join(f"{indent}{self_name}.{name} = {value}\n" for _, name, value in attributes)
        edits.append(Edit(at, at, lines))
    else:
        first_method = next(
            (s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))), None
        )
        anchor = first_method or cls.body[-1]
        line = min([anchor.lineno] + [d.lineno for d in getattr(anchor, "decorator_list", [])])
        indent = view.indent_of(first_statement.lineno)
        inherits = any(not (isinstance(b, ast.Name) and b.id == "object") for b in cls.bases)
        head = "self, *args, **kwargs" if inherits else "self"
        body = f"{indent}{INDENT}super().__init__(*args, **kwargs)\n" if inherits else ""
        body += "".join(f"{indent}{INDENT}self.{name} = {value}\n" for _, name, value in attributes)
        text = f"{indent}def __init__({head}):\n{body}\n"
        at = view.line_start(line) if first_method is not None else view.line_end(line)
        if first_method is None:
            text = "\n" + text.rstrip("\n") + "\n"
        edits.append(Edit(at, at, text))
    origin = f"initialise {', '.join(name for _, name, _ in attributes)} in __init__"
    removable = all(
        owns_lines(view, statement) and not _read_on_class(view, cls, name)
        for statement, name, _ in attributes
    )
    if removable and len(cls.body) > len(attributes):
        removals = [Edit(*block_span(view, statement), "") for statement, _, _ in attributes]
        yield Mutant(merged(view.source, [*removals, *edits]), origin, first_statement.lineno, 3)
    # The class-level line stays when something reads it on the class (or lies outside the range
    # the loop may edit, where removing it would be refused).
    yield Mutant(
        merged(view.source, edits), origin + " (class attribute kept)", first_statement.lineno, 3
    )


def _dataclass_fields(view: SourceView, cls: ast.ClassDef) -> Iterator[Mutant]:
    factory = name_for(view, "dataclasses.field")
    if factory is None:
        return
    for statement in cls.body:
        if isinstance(statement, ast.AnnAssign) and _is_mutable(statement.value):
            assert statement.value is not None
            value = view.text(statement.value)
            maker = FACTORY_FOR_EMPTY.get(value) or f"lambda: {value}"
            a, b = view.span(statement.value)
            new = f"{factory}(default_factory={maker})"
            origin = f"field(default_factory=...) for {view.text(statement.target)}"
            yield Mutant(Edit(a, b, new), origin, statement.lineno, 2)
