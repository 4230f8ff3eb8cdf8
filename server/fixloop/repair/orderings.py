"""The ordering arguments of `sorted`, `min`, `max` and `.sort`: a missing or an extra `key=`/`reverse=`.

A ranking that comes out backwards lacks `reverse=True`; one ordered by the wrong thing lacks a
`key`: `len`, `abs`, `str.lower`, the second or first element of pairs, or a dict's `.get` (to
order a dict's keys by their values). A present `key=` or `reverse=` can be the bug too, so
dropping it is a candidate. The order below is a judgement call: `reverse=True` and a key on the
pairs' values (the two slips seen most) come first, a `key` and `reverse` together last.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fixloop.repair.edits import inner_span, nodes_on
from fixloop.repair.mutate import Mutant
from fixloop.repair.source import SourceView
from fixloop.spans import Edit

SORTERS = ("sorted", "min", "max")
PLAIN_KEYS = ("len", "abs", "str.lower", "lambda x: x[0]")


def _kind(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name) and func.id in SORTERS:
        return func.id
    if isinstance(func, ast.Attribute) and func.attr == "sort":
        return "sort"
    return ""


def _parts(call: ast.Call) -> list[ast.expr | ast.keyword]:
    parts: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
    return sorted(parts, key=lambda n: (n.lineno, n.col_offset))


def _add(view: SourceView, call: ast.Call, text: str) -> Edit | None:
    parts = _parts(call)
    if len(call.args) == 1 and not call.keywords:
        start, end = inner_span(view, call, call.args[0])
        if (start, end) != view.span(call.args[0]):  # a lone generator gets its own parentheses
            return Edit(start, end, f"({view.source[start:end]}), {text}")
    if parts:
        end = max(view.span(p)[1] for p in parts)
        return Edit(end, end, f", {text}")
    _, end = view.span(call)
    if view.source[end - 1] != ")":
        return None
    return Edit(end - 1, end - 1, text)


def _drop(view: SourceView, call: ast.Call, keyword: ast.keyword) -> Edit:
    parts = _parts(call)
    index = parts.index(keyword)
    start, end = view.span(keyword)
    if index > 0:
        return Edit(view.span(parts[index - 1])[1], end, "")
    if index + 1 < len(parts):
        return Edit(start, view.span(parts[index + 1])[0], "")
    return Edit(start, end, "")


def _dict_key(view: SourceView, call: ast.Call) -> str | None:
    """`d.get` when the call orders the keys of a dict `d` (`sorted(d)`, `max(d.keys())`)."""
    if not call.args:
        return None
    source = call.args[0]
    if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute):
        if source.func.attr == "keys" and not source.args:
            return f"{view.text(source.func.value)}.get"
        return None
    if isinstance(source, (ast.Name, ast.Attribute)) and len(call.args) == 1:
        return f"{view.text(source)}.get"
    return None


def at_line(view: SourceView, line: int) -> Iterator[Mutant]:
    for node in nodes_on(view, line):
        if not isinstance(node, ast.Call):
            continue
        kind = _kind(node)
        if not kind or (kind != "sort" and not node.args):
            continue
        yield from _for_call(view, node, kind, node.lineno)


def _for_call(view: SourceView, call: ast.Call, kind: str, line: int) -> Iterator[Mutant]:
    present = {k.arg: k for k in call.keywords if k.arg}
    reversible = kind in ("sorted", "sort")
    options: list[tuple[str, int]] = []
    if reversible and "reverse" not in present:
        options.append(("reverse=True", 2))
    if "key" not in present:
        dict_key = _dict_key(view, call) if kind != "sort" else None
        options.append(("key=lambda x: x[1]", 2))
        if dict_key:
            options.append((f"key={dict_key}", 2))
        options += [(f"key={key}", 3) for key in PLAIN_KEYS]
        if reversible and "reverse" not in present:
            for key in (dict_key, "lambda x: x[1]", "len"):
                if key:
                    options.append((f"key={key}, reverse=True", 3))
    for text, cost in options:
        edit = _add(view, call, text)
        if edit is not None:
            yield Mutant(edit, f"{kind}(..., {text})", line, cost)
    for name in ("reverse", "key"):
        if name in present:
            yield Mutant(_drop(view, call, present[name]), f"{kind}() without {name}=", line, 2)
