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
import re
from collections.abc import Iterator
from dataclasses import dataclass

from fixloop.repair.source import COMMON_BUILTINS, SourceView
from fixloop.spans import Edit


@dataclass(frozen=True)
class Mutant:
    edit: Edit
    origin: str
    line: int
    cost: int  # rough size of the change; the search tries cheaper mutants first


COMPARE_TOKENS = {
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}
COMPARE_SWAPS = {
    "<": ("<=", ">", "!=", "=="),
    "<=": ("<", ">=", "=="),
    ">": (">=", "<", "!=", "=="),
    ">=": (">", "<=", "=="),
    "==": ("!=", "<=", ">=", "is"),
    "!=": ("==", "<", ">"),
    "is": ("is not", "=="),
    "is not": ("is", "!="),
    "in": ("not in",),
    "not in": ("in",),
}
BINOP_TOKENS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
}
BINOP_SWAPS = {
    "+": ("-", "*"),
    "-": ("+",),
    "*": ("/", "+", "//", "**"),
    "/": ("//", "*"),
    "//": ("/", "%"),
    "%": ("//",),
    "**": ("*",),
    "&": ("|", "^"),
    "|": ("&", "^"),
    "^": ("|", "&"),
    "<<": (">>",),
    ">>": ("<<",),
}
FUNCTION_SWAPS = {
    "min": ("max",),
    "max": ("min",),
    "any": ("all",),
    "all": ("any",),
    "sorted": ("reversed",),
    "reversed": ("sorted",),
    "int": ("float", "round"),
    "float": ("int",),
    "list": ("set", "sorted"),
    "set": ("list", "sorted"),
    "sum": ("len",),
    "len": ("sum",),
    "str": ("repr",),
    "round": ("int",),
    "filter": ("map",),
    "map": ("filter",),
}
METHOD_SWAPS = {
    "append": ("extend", "insert"),
    "extend": ("append",),
    "pop": ("remove", "get"),
    "remove": ("pop", "discard"),
    "keys": ("values", "items"),
    "values": ("keys", "items"),
    "items": ("keys", "values"),
    "lower": ("upper", "casefold"),
    "upper": ("lower",),
    "startswith": ("endswith",),
    "endswith": ("startswith",),
    "find": ("index", "rfind"),
    "index": ("find",),
    "split": ("rsplit", "splitlines"),
    "strip": ("lstrip", "rstrip"),
    "lstrip": ("strip", "rstrip"),
    "rstrip": ("strip", "lstrip"),
    "get": ("pop",),
    "add": ("update", "append"),
    "update": ("add",),
    "sort": ("reverse",),
    "join": ("split",),
    "isdigit": ("isalpha", "isnumeric"),
    "isalpha": ("isdigit", "isalnum"),
    "popleft": ("pop",),
    "appendleft": ("append",),
    "insert": ("append",),
}
WRAPPERS = ("len", "abs", "int", "str", "float", "list", "sorted", "sum", "round", "set")
RETURN_DEFAULTS = ("None", "0", "[]", "0.0", "''", "False", "{}", "1", "True", "-1")


def _node_token_gap(view: SourceView, left: ast.AST, right: ast.AST) -> tuple[int, int]:
    """Offsets of the text between two sibling nodes (where an operator token sits)."""
    return view.span(left)[1], view.span(right)[0]


def _replace_token(
    view: SourceView, left: ast.AST, right: ast.AST, old: str, new: str
) -> Edit | None:
    start, end = _node_token_gap(view, left, right)
    gap = view.source[start:end]
    # Parentheses may sit in the gap; replace only the operator token itself.
    index = gap.find(old)
    if index < 0:
        return None
    return Edit(start + index, start + index + len(old), new)


def _atomic(view: SourceView, node: ast.AST) -> str:
    text = view.text(node)
    if isinstance(node, (ast.Name, ast.Constant, ast.Attribute, ast.Subscript, ast.Call)):
        return text
    return f"({text})"


class MutantGenerator:
    """All one-edit mutants of the statements starting on one line."""

    def __init__(self, view: SourceView) -> None:
        self.view = view

    def for_line(self, line: int, *, deep: bool = True) -> Iterator[Mutant]:
        for statement in self.view.statements_on(line):
            yield from self._expressions(statement, line)
            yield from self._statement_level(statement, line, deep)

    def guards_for_line(self, line: int) -> Iterator[Mutant]:
        """Only the guard mutants of a line: what an IndexError, KeyError, ZeroDivisionError or
        an attribute of None there asks for first."""
        for statement in self.view.statements_on(line)[:1]:
            if self.view.function_at(line) is None:
                return
            yield from self._guards(
                statement,
                line,
                self.view.indent_of(line),
                self.view.line_start(line),
                _inside_loop(self.view, statement),
            )
            for node in ast.walk(statement):
                if isinstance(node, ast.Subscript):
                    yield from self._subscripts(node, line)

    # ---- expressions ---------------------------------------------------------------------------

    def _expression_nodes(self, statement: ast.stmt, line: int) -> list[ast.AST]:
        header = _header_nodes(statement)
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
                        edit = _replace_token(view, left, right, token, new)
                        if edit:
                            yield Mutant(edit, f"compare {token} -> {new}", node_line, 1)
                    left = right
            elif isinstance(node, ast.BinOp):
                token = BINOP_TOKENS.get(type(node.op), "")
                if token:
                    for new in BINOP_SWAPS.get(token, ()):
                        edit = _replace_token(view, node.left, node.right, token, new)
                        if edit:
                            yield Mutant(edit, f"operator {token} -> {new}", node_line, 1)
                start, end = view.span(node)
                left_text, right_text = view.text(node.left), view.text(node.right)
                yield Mutant(
                    Edit(
                        start,
                        end,
                        f"{_atomic(view, node.right)} {token} {_atomic(view, node.left)}",
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
                    edit = _replace_token(view, left, right, token, new)
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
        text = _atomic(self.view, node) if not isinstance(node, ast.BinOp) else self.view.text(node)
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

    # ---- statements ----------------------------------------------------------------------------

    def _statement_level(self, statement: ast.stmt, line: int, deep: bool) -> Iterator[Mutant]:
        view = self.view
        indent = view.indent_of(line)
        start_of_line = view.line_start(line)
        function = view.function_at(line)
        in_loop = _inside_loop(view, statement)
        if isinstance(statement, ast.Return) and statement.value is not None:
            a, b = view.span(statement.value)
            current = view.text(statement.value)
            for constant in RETURN_DEFAULTS:
                if constant != current:
                    yield Mutant(Edit(a, b, constant), f"return {constant}", line, 3)
        if isinstance(statement, ast.AugAssign):
            token = BINOP_TOKENS.get(type(statement.op), "")
            for new in BINOP_SWAPS.get(token, ()):
                edit = _replace_token(
                    view, statement.target, statement.value, token + "=", new + "="
                )
                if edit:
                    yield Mutant(edit, f"operator {token}= -> {new}=", line, 1)
            a, b = _node_token_gap(view, statement.target, statement.value)
            yield Mutant(Edit(a, b, " = "), f"{token}= -> =", line, 2)
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            a, b = _node_token_gap(view, statement.targets[0], statement.value)
            for new in ("+=", "-="):
                yield Mutant(Edit(a, b, f" {new} "), f"= -> {new}", line, 2)
        if isinstance(statement, ast.While) and isinstance(statement.test, ast.Constant):
            a, b = view.span(statement.test)
            body_names = []
            for inner in statement.body:
                body_names += [n for n in _loaded_names(inner) if "." not in n]
            for name in list(dict.fromkeys(body_names))[:6]:
                yield Mutant(Edit(a, b, name), f"while {name}", line, 2)
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            call = statement.value
            if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
                owner = call.func.value.id
                a, b = view.span(statement)
                yield Mutant(Edit(a, a, f"{owner} = "), "assign the method result", line, 2)
                if call.func.attr == "sort" and not call.args:
                    yield Mutant(
                        Edit(a, b, f"{owner} = sorted({owner})"), "sort -> sorted", line, 3
                    )
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            value = statement.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
                a, _ = view.span(statement)
                b, _ = view.span(value)
                yield Mutant(Edit(a, b, ""), "call without assigning", line, 2)
        if function is not None and deep:
            yield from self._guards(statement, line, indent, start_of_line, in_loop)
        if deep and isinstance(statement, (ast.Assign, ast.AugAssign, ast.Expr)):
            yield from self._near_copies(statement, line, indent)
        if deep:
            yield from self._reindent(statement, line)
        # Delete an extra statement (never the only one in a block; guards refuse the failing one).
        if deep and isinstance(statement, (ast.Assign, ast.AugAssign, ast.Expr)):
            parent = view.parent(statement)
            body = getattr(parent, "body", [])
            if isinstance(body, list) and len(body) > 1 and statement in body:
                end_line = statement.end_lineno or line
                yield Mutant(
                    Edit(start_of_line, view.line_end(end_line), ""), "delete statement", line, 5
                )

    def _guards(
        self, statement: ast.stmt, line: int, indent: str, at: int, in_loop: bool
    ) -> Iterator[Mutant]:
        names = _loaded_names(statement)[:4]
        exits = ["break", "continue"] if in_loop else []
        if not in_loop or isinstance(statement, ast.Return):
            exits += [f"return {value}" for value in RETURN_DEFAULTS[:6]]
        conditions = []
        for name in names:
            conditions += [f"not {name}", f"{name} is None"]
        for node in ast.walk(statement):
            if isinstance(node, ast.BinOp) and isinstance(
                node.op, (ast.Div, ast.FloorDiv, ast.Mod)
            ):
                conditions.insert(0, f"{self.view.text(node.right)} == 0")
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
                key, container = self.view.text(node.slice), self.view.text(node.value)
                if not isinstance(node.slice, ast.Slice):
                    conditions.append(f"{key} not in {container}")
                    conditions.append(f"{key} >= len({container})")
        for condition in dict.fromkeys(conditions):
            for exit_ in exits:
                text = f"{indent}if {condition}:\n{indent}    {exit_}\n"
                yield Mutant(Edit(at, at, text), f"guard `if {condition}: {exit_}`", line, 4)
        if isinstance(statement, (ast.If, ast.While)):
            a, _ = self.view.span(statement.test)
            body_names = []
            for inner in statement.body:
                body_names += [n for n in _loaded_names(inner) if "." not in n]
            for name in list(dict.fromkeys(names + body_names))[:8]:
                for prefix in (f"{name} and ", f"{name} is not None and "):
                    yield Mutant(Edit(a, a, prefix), f"guard condition `{prefix.strip()}`", line, 3)

    def _near_copies(self, statement: ast.stmt, line: int, indent: str) -> Iterator[Mutant]:
        """A missing statement is often a copy of its neighbour with one name changed
        (every occurrence of it, so `self.x = x` also gives `self.y = y`)."""
        view = self.view
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

    def _reindent(self, statement: ast.stmt, line: int) -> Iterator[Mutant]:
        """Move the last statement of a loop body out of it, or the statement after a loop into it."""
        view = self.view
        parent = view.parent(statement)
        end_line = statement.end_lineno or line
        block = view.source[view.line_start(line) : view.line_end(end_line)]
        if (
            isinstance(parent, (ast.For, ast.While))
            and parent.body
            and parent.body[-1] is statement
        ):
            dedented = "".join(
                ln[4:] if ln.startswith("    ") else ln for ln in block.splitlines(True)
            )
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
                indented = "".join(
                    "    " + ln if ln.strip() else ln for ln in block.splitlines(True)
                )
                yield Mutant(
                    Edit(view.line_start(line), view.line_end(end_line), indented),
                    "move into the loop",
                    line,
                    3,
                )


def _header_nodes(statement: ast.stmt) -> list[ast.AST]:
    """The expressions that belong to the statement itself (not to nested blocks)."""
    if isinstance(statement, (ast.If, ast.While)):
        return [statement.test]
    if isinstance(statement, (ast.For, ast.AsyncFor)):
        return [statement.iter, statement.target]
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        return [item.context_expr for item in statement.items]
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Try)):
        return []
    return [statement]


def _loaded_names(statement: ast.stmt) -> list[str]:
    names = []
    for root in _header_nodes(statement):
        for node in ast.walk(root):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                if node.id not in COMMON_BUILTINS and node.id not in ("True", "False", "None"):
                    names.append(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                names.append(f"{node.value.id}.{node.attr}")
    return list(dict.fromkeys(names))


def _inside_loop(view: SourceView, node: ast.AST) -> bool:
    current = view.parent(node)
    while current is not None and not isinstance(
        current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)
    ):
        if isinstance(current, (ast.For, ast.While, ast.AsyncFor)):
            return True
        current = view.parent(current)
    return False
