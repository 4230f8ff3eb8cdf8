"""Statement-level mutation operators: what is wrong with a statement as a whole.

A wrong return value; `op=` for `=` and the reverse; `while True` for `while name`; a method
call where an assignment belongs and the reverse; a missing guard before the statement or a
missing clause in its condition; a missing near copy of the statement with one name changed; a
statement in or out of a loop body; an extra statement. Each is a `Mutant` with its cost.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fixloop.repair.mutants import (
    BINOP_SWAPS,
    BINOP_TOKENS,
    RETURN_DEFAULTS,
    Mutant,
    inside_loop,
    loaded_names,
    node_token_gap,
    replace_token,
)
from fixloop.repair.source import SourceView
from fixloop.spans import Edit


def statement_mutants(
    view: SourceView, statement: ast.stmt, line: int, deep: bool
) -> Iterator[Mutant]:
    """Mutants of the statement as a whole: returns, assignments, loops, guards, copies, moves."""
    indent = view.indent_of(line)
    start_of_line = view.line_start(line)
    function = view.function_at(line)
    in_loop = inside_loop(view, statement)
    if isinstance(statement, ast.Return) and statement.value is not None:
        a, b = view.span(statement.value)
        current = view.text(statement.value)
        for constant in RETURN_DEFAULTS:
            if constant != current:
                yield Mutant(Edit(a, b, constant), f"return {constant}", line, 3)
    if isinstance(statement, ast.AugAssign):
        token = BINOP_TOKENS.get(type(statement.op), "")
        for new in BINOP_SWAPS.get(token, ()):
            edit = replace_token(view, statement.target, statement.value, token + "=", new + "=")
            if edit:
                yield Mutant(edit, f"operator {token}= -> {new}=", line, 1)
        a, b = node_token_gap(view, statement.target, statement.value)
        yield Mutant(Edit(a, b, " = "), f"{token}= -> =", line, 2)
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        a, b = node_token_gap(view, statement.targets[0], statement.value)
        for new in ("+=", "-="):
            yield Mutant(Edit(a, b, f" {new} "), f"= -> {new}", line, 2)
    if isinstance(statement, ast.While) and isinstance(statement.test, ast.Constant):
        a, b = view.span(statement.test)
        body_names = []
        for inner in statement.body:
            body_names += [n for n in loaded_names(inner) if "." not in n]
        for name in list(dict.fromkeys(body_names))[:6]:
            yield Mutant(Edit(a, b, name), f"while {name}", line, 2)
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
            owner = call.func.value.id
            a, b = view.span(statement)
            yield Mutant(Edit(a, a, f"{owner} = "), "assign the method result", line, 2)
            if call.func.attr == "sort" and not call.args:
                yield Mutant(Edit(a, b, f"{owner} = sorted({owner})"), "sort -> sorted", line, 3)
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        value = statement.value
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            a, _ = view.span(statement)
            b, _ = view.span(value)
            yield Mutant(Edit(a, b, ""), "call without assigning", line, 2)
            if value.func.attr == "sort" and not value.args:
                # `.sort()` sorts in place and returns None: the copying sibling was meant.
                owner = view.text(value.func.value)
                keywords = "".join(f", {view.text(k)}" for k in value.keywords)
                c, d = view.span(value)
                new = f"sorted({owner}{keywords})"
                yield Mutant(Edit(c, d, new), ".sort(...) -> sorted(...)", line, 2)
    if function is not None and deep:
        yield from guard_mutants(view, statement, line, indent, start_of_line, in_loop)
    if deep and isinstance(statement, (ast.Assign, ast.AugAssign, ast.Expr)):
        yield from _near_copies(view, statement, line)
    if deep:
        yield from _reindent(view, statement, line)
    # Delete an extra statement (never the only one in a block; guards refuse the failing one).
    if deep and isinstance(statement, (ast.Assign, ast.AugAssign, ast.Expr)):
        parent = view.parent(statement)
        body = getattr(parent, "body", [])
        if isinstance(body, list) and len(body) > 1 and statement in body:
            end_line = statement.end_lineno or line
            yield Mutant(
                Edit(start_of_line, view.line_end(end_line), ""), "delete statement", line, 5
            )


def guard_mutants(
    view: SourceView, statement: ast.stmt, line: int, indent: str, at: int, in_loop: bool
) -> Iterator[Mutant]:
    """A missing guard before the statement, or a missing clause in its condition."""
    names = loaded_names(statement)[:4]
    exits = ["break", "continue"] if in_loop else []
    if not in_loop or isinstance(statement, ast.Return):
        exits += [f"return {value}" for value in RETURN_DEFAULTS[:6]]
    conditions = []
    for name in names:
        conditions += [f"not {name}", f"{name} is None"]
    for node in ast.walk(statement):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)):
            conditions.insert(0, f"{view.text(node.right)} == 0")
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            key, container = view.text(node.slice), view.text(node.value)
            if not isinstance(node.slice, ast.Slice):
                conditions.append(f"{key} not in {container}")
                conditions.append(f"{key} >= len({container})")
    for condition in dict.fromkeys(conditions):
        for exit_ in exits:
            text = f"{indent}if {condition}:\n{indent}    {exit_}\n"
            yield Mutant(Edit(at, at, text), f"guard `if {condition}: {exit_}`", line, 4)
    if isinstance(statement, (ast.If, ast.While)):
        a, _ = view.span(statement.test)
        body_names = []
        for inner in statement.body:
            body_names += [n for n in loaded_names(inner) if "." not in n]
        for name in list(dict.fromkeys(names + body_names))[:8]:
            for prefix in (f"{name} and ", f"{name} is not None and "):
                yield Mutant(Edit(a, a, prefix), f"guard condition `{prefix.strip()}`", line, 3)


def _near_copies(view: SourceView, statement: ast.stmt, line: int) -> Iterator[Mutant]:
    """A missing statement is often a copy of its neighbour with one name changed
    (every occurrence of it, so `self.x = x` also gives `self.y = y`)."""
    end_line = statement.end_lineno or line
    text = view.source[view.line_start(line) : view.line_end(end_line)]
    if not text.endswith("\n"):
        text += "\n"
    words: list[str] = []
    for node in ast.walk(statement):
        if isinstance(node, ast.Name):
            words.append(node.id)
        elif isinstance(node, ast.Attribute):
            words.append(node.attr)
    pool = list(dict.fromkeys(view.names_in_scope(line)[:12] + view.attribute_names[:12]))
    after = view.line_end(end_line)
    count = 0
    for word in dict.fromkeys(words):
        if word in ("self", "cls"):
            continue
        pattern = re.compile(rf"\b{re.escape(word)}\b")
        for other in pool:
            if other == word or other in ("self", "cls") or count >= 40:
                continue
            copy = pattern.sub(other, text)
            count += 1
            yield Mutant(
                Edit(after, after, copy), f"add near copy of line {line} with {other}", line, 5
            )


def _reindent(view: SourceView, statement: ast.stmt, line: int) -> Iterator[Mutant]:
    """Move the last statement of a loop body out of it, or the statement after a loop into it."""
    parent = view.parent(statement)
    end_line = statement.end_lineno or line
    block = view.source[view.line_start(line) : view.line_end(end_line)]
    if isinstance(parent, (ast.For, ast.While)) and parent.body and parent.body[-1] is statement:
        dedented = "".join(ln[4:] if ln.startswith("    ") else ln for ln in block.splitlines(True))
        yield Mutant(
            Edit(view.line_start(line), view.line_end(end_line), dedented),
            "move out of the loop",
            line,
            3,
        )
    siblings = getattr(parent, "body", None)
    if isinstance(siblings, list) and statement in siblings:
        index = siblings.index(statement)
        if index > 0 and isinstance(siblings[index - 1], (ast.For, ast.While)):
            indented = "".join("    " + ln if ln.strip() else ln for ln in block.splitlines(True))
            yield Mutant(
                Edit(view.line_start(line), view.line_end(end_line), indented),
                "move into the loop",
                line,
                3,
            )
