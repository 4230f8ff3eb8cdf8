"""Conditions with one clause too many or too few: drop a clause of an `and`/`or` chain, or add one.

A wrong clause is dropped before any clause is added, because dropping changes less and cannot
overfit to the tests (an added clause can). Dropping takes one clause out of a chain and keeps
the others as written. Adding joins the whole condition with `and <name>`, `and not <name>` or
`or <name>` for the boolean-ish names in scope (flags with boolean defaults or values, and names
such as `is_x`, `has_x`, `allow_x`; and the boolean fields of this file's classes on a name of
the condition named after the class, `user.is_admin` for `user` and `User`), then
`and x is not None`, `and x` and `and len(x) > 0` for the other names the function uses that way. The pools are small on purpose: every candidate
costs a validation. A statement right after an `if` without `else` may belong in its `else`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fixloop.repair.edits import INDENT, block_span, own_nodes, owns_lines, reindented
from fixloop.repair.mutate import Mutant
from fixloop.repair.source import SourceView
from fixloop.spans import Edit

BOOLEAN_PREFIXES = ("is_", "has_", "can_", "should_", "allow", "enable", "use_", "include_")
BOOLEAN_WORDS = frozenset(
    ("ok", "valid", "found", "done", "strict", "verbose", "active", "enabled", "ready", "force")
)
BOOLEAN_CALLS = frozenset(("isinstance", "any", "all", "bool", "callable", "hasattr"))
BOOLEAN_METHODS = frozenset(("startswith", "endswith", "isdigit", "isalpha", "isspace", "exists"))
MAX_FLAGS = 3
MAX_VALUES = 3


def _conditions(statement: ast.stmt) -> list[ast.expr]:
    if isinstance(statement, (ast.If, ast.While, ast.Assert)):
        return [statement.test]
    if isinstance(statement, (ast.Return, ast.Assign, ast.AnnAssign)):
        value = statement.value
        # A computed truth value (not a plain `return True`) is a condition too.
        if _is_boolean_value(value) and not isinstance(value, ast.Constant):
            return [value] if value is not None else []
    found: list[ast.expr] = []
    for node in ast.walk(statement):
        if isinstance(node, ast.comprehension):
            found += node.ifs
        elif isinstance(node, ast.IfExp):
            found.append(node.test)
    return found


def _is_boolean_value(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, bool)
    if isinstance(node, (ast.Compare, ast.BoolOp)):
        return True
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.Not)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id in BOOLEAN_CALLS
        return isinstance(func, ast.Attribute) and func.attr in BOOLEAN_METHODS
    return False


def _looks_boolean(name: str) -> bool:
    return name.startswith(BOOLEAN_PREFIXES) or name in BOOLEAN_WORDS


def _pools(view: SourceView, line: int) -> tuple[list[str], list[tuple[str, str]]]:
    """(boolean names, [(name, how it is used: "none" | "sized" | "plain")]) for `line`."""
    function = view.function_at(line)
    if function is None:
        return [], []
    node = function.node
    flags: list[str] = []
    values: dict[str, str] = {}
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: dict[str, ast.expr | None] = {
        a.arg: d
        for a, d in zip(
            positional[len(positional) - len(args.defaults) :], args.defaults, strict=True
        )
    }
    defaults |= {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)}
    for arg in [*positional, *args.kwonlyargs]:
        if arg.arg in ("self", "cls"):
            continue
        if _looks_boolean(arg.arg) or _is_boolean_value(defaults.get(arg.arg)):
            flags.append(arg.arg)
        else:
            values.setdefault(arg.arg, "none" if _is_none(defaults.get(arg.arg)) else "plain")
    for sub in own_nodes(node):
        if (
            isinstance(sub, ast.Assign)
            and len(sub.targets) == 1
            and isinstance(sub.targets[0], ast.Name)
        ):
            name = sub.targets[0].id
            if (_is_boolean_value(sub.value) or _looks_boolean(name)) and name not in flags:
                flags.append(name)
            elif name not in flags and sub.lineno < line:
                values.setdefault(name, "plain")
        elif isinstance(sub, ast.Compare) and isinstance(sub.left, ast.Name):
            if any(_is_none(c) for c in sub.comparators) and sub.left.id in values:
                values[sub.left.id] = "none"
        elif isinstance(sub, ast.Call) and getattr(sub.func, "id", "") == "len" and sub.args:
            measured = sub.args[0]
            if isinstance(measured, ast.Name) and measured.id in values:
                values[measured.id] = "sized"
    return flags, list(values.items())


def _is_none(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _drops(view: SourceView, condition: ast.expr, line: int) -> Iterator[Mutant]:
    for chain in ast.walk(condition):
        if not isinstance(chain, ast.BoolOp):
            continue
        word = "and" if isinstance(chain.op, ast.And) else "or"
        start, end = view.span(chain)
        for index, clause in enumerate(chain.values):
            kept = chain.values[:index] + chain.values[index + 1 :]
            if len(kept) == 1:
                text = view.text(kept[0])
                if isinstance(kept[0], (ast.BoolOp, ast.IfExp, ast.NamedExpr)):
                    text = f"({text})"
            else:
                text = f" {word} ".join(_as_clause(view, k) for k in kept)
            yield Mutant(Edit(start, end, text), f"drop clause `{view.text(clause)}`", line, 2)


def _as_clause(view: SourceView, node: ast.expr) -> str:
    """A clause as written, with the parentheses it had (or needs) inside a chain."""
    text = view.text(node)
    if isinstance(node, (ast.BoolOp, ast.IfExp, ast.NamedExpr, ast.Lambda)):
        return f"({text})"
    return text


def _adds(
    view: SourceView,
    condition: ast.expr,
    line: int,
    flags: list[str],
    values: list[tuple[str, str]],
) -> Iterator[Mutant]:
    used = {n.id for n in ast.walk(condition) if isinstance(n, ast.Name)}
    start, end = view.span(condition)
    text = view.text(condition)
    loose = isinstance(condition, (ast.IfExp, ast.Lambda, ast.NamedExpr))
    is_or = isinstance(condition, ast.BoolOp) and isinstance(condition.op, ast.Or)
    and_base = f"({text})" if loose or is_or else text
    or_base = f"({text})" if loose else text
    clauses: list[tuple[str, str]] = []
    attribute_flags = _attribute_flags(view, condition)
    for flag in [f for f in flags if f not in used][:MAX_FLAGS] + attribute_flags[:MAX_FLAGS]:
        clauses += [("and", flag), ("and", f"not {flag}"), ("or", flag)]
    # A name the condition already tests may still need its None or emptiness check.
    for name, use in values[:MAX_VALUES]:
        if use == "none":
            clauses.append(("and", f"{name} is not None"))
        if name not in used:
            clauses.append(("and", name))
        if use == "sized":
            clauses.append(("and", f"len({name}) > 0"))
    for word, clause in clauses:
        base = and_base if word == "and" else or_base
        new = f"{base} {word} {clause}"
        yield Mutant(Edit(start, end, new), f"add clause `{word} {clause}`", line, 3)


def _attribute_flags(view: SourceView, condition: ast.expr) -> list[str]:
    """Boolean fields (`is_admin: bool = False`, `self.active = True`) of the file's classes,
    read on the names of the condition that are named after them (`user` for `User`), and not
    tested yet: `user.is_admin`."""
    classes = {
        node.name.lower(): node for node in ast.walk(view.tree) if isinstance(node, ast.ClassDef)
    }
    tested = {view.text(n) for n in ast.walk(condition) if isinstance(n, ast.Attribute)}
    flags: list[str] = []
    names = [n.id for n in ast.walk(condition) if isinstance(n, ast.Name)]
    for name in dict.fromkeys(names):
        cls = classes.get(name.lower())
        if cls is None:
            continue
        for field in _boolean_fields(cls):
            if f"{name}.{field}" not in tested:
                flags.append(f"{name}.{field}")
    return flags


def _boolean_fields(cls: ast.ClassDef) -> list[str]:
    fields: list[str] = []
    for node in ast.walk(cls):
        name, value, annotation = "", None, None
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, value, annotation = node.target.id, node.value, node.annotation
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Attribute):
            name, value, annotation = node.target.attr, node.value, node.annotation
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Attribute) and getattr(target.value, "id", "") == "self":
                name, value = target.attr, node.value
        boolean = isinstance(annotation, ast.Name) and annotation.id == "bool"
        boolean = boolean or (isinstance(value, ast.Constant) and isinstance(value.value, bool))
        if name and (boolean or _looks_boolean(name)) and name not in fields:
            fields.append(name)
    return fields


def missing_else(view: SourceView, line: int) -> Iterator[Mutant]:
    """The statement right after an `if` without `else` belongs in an `else` of it (it runs
    after the `if` branch too, where the two were meant to exclude each other)."""
    statements = view.statements_on(line)
    if not statements or not owns_lines(view, statements[0]):
        return
    statement = statements[0]
    siblings = getattr(view.parent(statement), "body", None)
    if not isinstance(siblings, list) or statement not in siblings:
        return
    index = siblings.index(statement)
    previous = siblings[index - 1] if index else None
    if not isinstance(previous, ast.If) or previous.orelse:
        return
    if isinstance(previous.body[-1], (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return  # the branch already leaves: an `else` would change nothing
    if view.indent_of(previous.lineno) != view.indent_of(statement.lineno):
        return
    start, end = block_span(view, statement)
    indent = view.indent_of(statement.lineno)
    block = reindented(view.source[start:end], indent, indent + INDENT)
    yield Mutant(Edit(start, end, f"{indent}else:\n{block}"), "move into an else", line, 2)


def at_line(view: SourceView, line: int) -> Iterator[Mutant]:
    yield from missing_else(view, line)
    statements = view.statements_on(line)
    if not statements:
        return
    conditions = _conditions(statements[0])
    for condition in conditions:
        yield from _drops(view, condition, line)
    if conditions:
        flags, values = _pools(view, line)
        for condition in conditions:
            yield from _adds(view, condition, line, flags, values)
