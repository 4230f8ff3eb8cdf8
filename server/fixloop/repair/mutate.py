"""Mutation operators: one-edit variants of the statements on a suspicious line.

Each operator covers one bug class from the repair notes: wrong comparison, arithmetic or boolean
operator; off-by-one and wrong constants; wrong variable, attribute or function; swapped operands,
arguments and indices; missing or extra call wrappers and terms; slices; missing guards; wrong
return values; a missing near-copy statement; a method call where an assignment belongs (and the
reverse); a statement in or out of a loop body. Every variant is an `Edit` on character offsets of
the original, tagged with an origin for the transcript and a cost (smaller = tried earlier), so
the search is deterministic and the smallest edits come first.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterator

from fixloop.repair.mutants import (
    BINOP_SWAPS,
    BINOP_TOKENS,
    COMPARE_SWAPS,
    COMPARE_TOKENS,
    FUNCTION_SWAPS,
    METHOD_SWAPS,
    WRAPPERS,
    Mutant,
    atomic,
    header_nodes,
    inside_loop,
    replace_token,
)
from fixloop.repair.mutate_statements import guard_mutants, statement_mutants
from fixloop.repair.source import SourceView
from fixloop.spans import Edit

__all__ = ["Mutant", "MutantGenerator"]


class MutantGenerator:
    """All one-edit mutants of the statements starting on one line."""

    def __init__(self, view: SourceView) -> None:
        self.view = view

    def for_line(self, line: int, *, deep: bool = True) -> Iterator[Mutant]:
        for statement in self.view.statements_on(line):
            yield from self._expressions(statement, line)
            yield from statement_mutants(self.view, statement, line, deep)

    def guards_for_line(self, line: int) -> Iterator[Mutant]:
        """Only the guard mutants of a line: what an IndexError, KeyError, ZeroDivisionError or
        an attribute of None there asks for first."""
        for statement in self.view.statements_on(line)[:1]:
            if self.view.function_at(line) is None:
                return
            yield from guard_mutants(
                self.view,
                statement,
                line,
                self.view.indent_of(line),
                self.view.line_start(line),
                inside_loop(self.view, statement),
            )
            for node in ast.walk(statement):
                if isinstance(node, ast.Subscript):
                    yield from self._subscripts(node, line)

    # ---- expressions ---------------------------------------------------------------------------

    def _expression_nodes(self, statement: ast.stmt, line: int) -> list[ast.AST]:
        header = header_nodes(statement)
        nodes: list[ast.AST] = []
        for root in header:
            for node in ast.walk(root):
                if getattr(node, "lineno", None) is not None and isinstance(node, ast.expr):
                    nodes.append(node)
        return nodes

    def _expressions(self, statement: ast.stmt, line: int) -> Iterator[Mutant]:
        view = self.view
        for node in self._expression_nodes(statement, line):
            node_line = node.lineno  # type: ignore[attr-defined]
            if isinstance(node, ast.Compare):
                left = node.left
                for op, right in zip(node.ops, node.comparators, strict=True):
                    token = COMPARE_TOKENS[type(op)]
                    for new in COMPARE_SWAPS[token]:
                        edit = replace_token(view, left, right, token, new)
                        if edit:
                            yield Mutant(edit, f"compare {token} -> {new}", node_line, 1)
                    left = right
            elif isinstance(node, ast.BinOp):
                token = BINOP_TOKENS.get(type(node.op), "")
                if token:
                    for new in BINOP_SWAPS.get(token, ()):
                        edit = replace_token(view, node.left, node.right, token, new)
                        if edit:
                            yield Mutant(edit, f"operator {token} -> {new}", node_line, 1)
                start, end = view.span(node)
                left_text, right_text = view.text(node.left), view.text(node.right)
                yield Mutant(
                    Edit(
                        start,
                        end,
                        f"{atomic(view, node.right)} {token} {atomic(view, node.left)}",
                    ),
                    "swap operands",
                    node_line,
                    3,
                )
                yield Mutant(Edit(start, end, left_text), f"drop term {right_text}", node_line, 3)
                yield Mutant(Edit(start, end, right_text), f"drop term {left_text}", node_line, 3)
            elif isinstance(node, ast.BoolOp):
                token = "and" if isinstance(node.op, ast.And) else "or"
                new = "or" if token == "and" else "and"
                for left, right in zip(node.values, node.values[1:], strict=False):
                    edit = replace_token(view, left, right, token, new)
                    if edit:
                        yield Mutant(edit, f"boolean {token} -> {new}", node_line, 1)
                start, end = view.span(node)
                for value in node.values:
                    yield Mutant(Edit(start, end, view.text(value)), "drop condition", node_line, 3)
            elif isinstance(node, ast.UnaryOp):
                start, end = view.span(node)
                yield Mutant(
                    Edit(start, end, view.text(node.operand)), "drop unary operator", node_line, 1
                )
            elif isinstance(node, ast.Constant):
                yield from self._constants(node, node_line)
            elif isinstance(node, ast.List) and len(node.elts) <= 1:
                start, end = view.span(node)
                if not node.elts:
                    yield Mutant(Edit(start, end, "[[]]"), "constant [] -> [[]]", node_line, 1)
                elif isinstance(node.elts[0], ast.List) and not node.elts[0].elts:
                    yield Mutant(Edit(start, end, "[]"), "constant [[]] -> []", node_line, 1)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                yield from self._names(node, node_line)
            elif isinstance(node, ast.Attribute):
                yield from self._attributes(node, node_line)
            elif isinstance(node, ast.Call):
                yield from self._calls(node, node_line)
            elif isinstance(node, ast.Subscript):
                yield from self._subscripts(node, node_line)
            yield from self._off_by_one(node, node_line)
            yield from self._wrappers(node, node_line)

    def _constants(self, node: ast.Constant, line: int) -> Iterator[Mutant]:
        start, end = self.view.span(node)
        value = node.value
        options: list[str] = []
        if isinstance(value, bool):
            options = [str(not value)]
        elif isinstance(value, int):
            options = [str(value + 1), str(value - 1), "0", "1", "-1", "None"]
        elif isinstance(value, float):
            options = ["0.0", "1.0", str(value + 1)]
        elif value is None:
            options = ["0", "[]", "''", "False"]
        elif isinstance(value, str) and len(value) <= 3:
            options = ["''", "' '"]
        seen = {self.view.text(node)}
        for option in options:
            if option not in seen:
                seen.add(option)
                yield Mutant(Edit(start, end, option), f"constant -> {option}", line, 1)

    def _names(self, node: ast.Name, line: int) -> Iterator[Mutant]:
        start, end = self.view.span(node)
        if node.id in FUNCTION_SWAPS and isinstance(self.view.parent(node), ast.Call):
            for new in FUNCTION_SWAPS[node.id]:
                yield Mutant(Edit(start, end, new), f"call {node.id} -> {new}", line, 1)
            return
        pool = [n for n in self.view.names_in_scope(line) if n != node.id]
        ranked = sorted(pool, key=lambda n: (-difflib.SequenceMatcher(None, n, node.id).ratio(), n))
        for new in ranked[:8]:
            yield Mutant(Edit(start, end, new), f"name {node.id} -> {new}", line, 2)
        if node.id in ("True", "False", "None"):
            return

    def _attributes(self, node: ast.Attribute, line: int) -> Iterator[Mutant]:
        _, end = self.view.span(node)
        attr_start = end - len(node.attr)
        if self.view.source[attr_start:end] != node.attr:
            return
        options = list(METHOD_SWAPS.get(node.attr, ()))
        close = difflib.get_close_matches(node.attr, self.view.attribute_names, n=6, cutoff=0.5)
        options += [c for c in close if c != node.attr and c not in options]
        for new in options:
            yield Mutant(Edit(attr_start, end, new), f"attribute {node.attr} -> {new}", line, 2)

    def _calls(self, node: ast.Call, line: int) -> Iterator[Mutant]:
        view = self.view
        args = node.args
        for first, second in zip(args, args[1:], strict=False):
            a, b = view.span(first), view.span(second)
            text = view.source[a[0] : b[1]]
            middle = view.source[a[1] : b[0]]
            swapped = view.text(second) + middle + view.text(first)
            if text != swapped:
                yield Mutant(Edit(a[0], b[1], swapped), "swap arguments", line, 2)
        start, end = view.span(node)
        if not args and not node.keywords and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("split", "rsplit", "strip", "rstrip", "lstrip"):
                for separator in ('","', '" "', '";"', '"\\n"'):
                    yield Mutant(
                        Edit(end - 1, end - 1, separator), f"{node.func.attr}({separator})", line, 2
                    )
        if len(args) == 1 and not node.keywords and isinstance(node.func, ast.Name):
            yield Mutant(
                Edit(start, end, view.text(args[0])), f"drop call {node.func.id}()", line, 2
            )
            if node.func.id == "range":
                inner = view.text(args[0])
                for new in (
                    f"range(1, {inner})",
                    f"range({inner} + 1)",
                    f"range(1, {inner} + 1)",
                    f"range(len({inner}))",
                    f"range({inner} - 1)",
                ):
                    yield Mutant(Edit(start, end, new), f"range -> {new}", line, 2)
        if len(args) == 2 and isinstance(node.func, ast.Name) and node.func.id == "range":
            yield Mutant(
                Edit(start, end, f"range({view.text(args[1])})"), "drop range start", line, 2
            )
        for index, arg in enumerate(args):
            if len(args) > 1:
                a = view.span(arg)
                # Remove one argument together with its comma.
                if index + 1 < len(args):
                    b = view.span(args[index + 1])
                    yield Mutant(Edit(a[0], b[0], ""), "drop argument", line, 3)
                else:
                    prev = view.span(args[index - 1])
                    yield Mutant(Edit(prev[1], a[1], ""), "drop argument", line, 3)

    def _subscripts(self, node: ast.Subscript, line: int) -> Iterator[Mutant]:
        view = self.view
        start, end = view.span(node)
        value = node.value
        if isinstance(value, ast.Subscript):
            # a[i][j] -> a[j][i]
            outer, inner = node.slice, value.slice
            if not isinstance(outer, ast.Slice) and not isinstance(inner, ast.Slice):
                swapped = f"{view.text(value.value)}[{view.text(outer)}][{view.text(inner)}]"
                yield Mutant(Edit(start, end, swapped), "swap indices", line, 2)
        if isinstance(node.slice, ast.Slice):
            for part in (node.slice.lower, node.slice.upper):
                if part is not None:
                    a, b = view.span(part)
                    yield Mutant(Edit(a, b, ""), "drop slice bound", line, 2)
            if node.slice.step is None and node.slice.lower is None and node.slice.upper is None:
                yield Mutant(Edit(start, end, view.text(value)), "drop slice", line, 2)
        elif isinstance(node.ctx, ast.Load) and isinstance(node.slice, (ast.Name, ast.Constant)):
            key = view.text(node.slice)
            for default in ("", ", 0", ", None"):
                yield Mutant(
                    Edit(start, end, f"{view.text(value)}.get({key}{default})"),
                    f"subscript -> .get({key}{default})",
                    line,
                    3,
                )

    def _off_by_one(self, node: ast.AST, line: int) -> Iterator[Mutant]:
        parent = self.view.parent(node)
        if not isinstance(node, (ast.Name, ast.Call, ast.Subscript, ast.BinOp, ast.Attribute)):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            return
        if isinstance(parent, ast.Call) and parent.func is node:
            return
        if isinstance(parent, ast.Attribute):
            return
        in_context = (
            isinstance(parent, (ast.Compare, ast.Slice, ast.Return))
            or (isinstance(parent, ast.Subscript) and parent.slice is node)
            or (
                isinstance(parent, ast.Call)
                and isinstance(parent.func, ast.Name)
                and parent.func.id in ("range", "min", "max", "round")
            )
            or (isinstance(parent, ast.Assign) and parent.value is node)
            or (isinstance(parent, ast.AugAssign) and parent.value is node)
        )
        if not in_context:
            return
        start, end = self.view.span(node)
        text = atomic(self.view, node) if not isinstance(node, ast.BinOp) else self.view.text(node)
        if isinstance(node, ast.BinOp) and not isinstance(node.op, (ast.Add, ast.Sub)):
            text = f"({text})"
        for delta in (" + 1", " - 1"):
            yield Mutant(Edit(start, end, text + delta), f"off by one{delta}", line, 2)

    def _wrappers(self, node: ast.AST, line: int) -> Iterator[Mutant]:
        parent = self.view.parent(node)
        if not isinstance(node, (ast.Name, ast.Call, ast.Subscript, ast.Attribute, ast.BinOp)):
            return
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            return
        if (
            isinstance(parent, ast.Call)
            and parent.func is node
            or isinstance(parent, ast.Attribute)
        ):
            return
        if not isinstance(
            parent, (ast.Call, ast.Return, ast.Compare, ast.BinOp, ast.Assign, ast.For)
        ):
            return
        start, end = self.view.span(node)
        text = self.view.text(node)
        for wrapper in WRAPPERS:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == wrapper
            ):
                continue
            yield Mutant(Edit(start, end, f"{wrapper}({text})"), f"wrap {wrapper}()", line, 4)
        for bound in ("max(0, {})", "min(0, {})"):
            yield Mutant(
                Edit(start, end, bound.format(text)), f"wrap {bound.format('...')}", line, 4
            )
        if isinstance(parent, (ast.For, ast.Call, ast.Return)) and not isinstance(node, ast.BinOp):
            for cut in ("[1:]", "[:-1]", "[::-1]"):
                yield Mutant(Edit(start, end, f"{text}{cut}"), f"slice {cut}", line, 4)
