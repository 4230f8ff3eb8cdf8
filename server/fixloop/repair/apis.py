"""The sibling API for the value at hand, chosen by the error message.

Standard APIs come in pairs that take different values: `json.load` reads a file and
`json.loads` a string, `pickle.dump` writes to a file and `pickle.dumps` returns bytes,
`re.match` anchors where `re.search` does not, a set has `add` where a list has `append`,
`strptime` parses a string where `strftime` formats a date. Calling the wrong one fails with a
message that says which value it got (`the JSON object must be str, bytes or bytearray, not
TextIOWrapper`, `'str' object has no attribute 'read'`). Each `Sibling` maps such a message to
the swap it asks for; the swap is tried on the calls of the lines where the error surfaced,
innermost frame first. File modes (`"w"` for `"wb"`) and `range(...)` around an integer loop
bound are handled the same way, from their own messages.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from fixloop.repair.edits import expressions_at, name_for, own_nodes
from fixloop.repair.mutate import Mutant
from fixloop.repair.source import SourceView
from fixloop.repair.symptoms import Symptom
from fixloop.spans import Edit

DROP = ""  # a `Sibling.new` that removes the call and keeps its receiver (`x.decode()` -> `x`)


@dataclass(frozen=True)
class Sibling:
    error_type: str
    pattern: re.Pattern[str]
    old: str  # the function or method called at the failing line
    new: str  # what to call instead, or DROP


def _sibling(error_type: str, pattern: str, old: str, new: str) -> Sibling:
    return Sibling(error_type, re.compile(pattern), old, new)


SIBLINGS = (
    _sibling("TypeError", r"the JSON object must be str, bytes or bytearray, not", "loads", "load"),
    _sibling(
        "AttributeError", r"'(str|bytes|bytearray)' object has no attribute 'read'", "load", "loads"
    ),
    _sibling("TypeError", r"a bytes-like object is required, not '_io\.", "loads", "load"),
    _sibling("TypeError", r"file must have 'read' and 'readline' attributes", "load", "loads"),
    _sibling(
        "TypeError", r"dump\(\) missing (1 )?required (positional )?argument", "dump", "dumps"
    ),
    _sibling("TypeError", r"dumps\(\) takes 1 positional argument but 2", "dumps", "dump"),
    _sibling(
        "TypeError", r"'_io\.\w+' object cannot be interpreted as an integer", "dumps", "dump"
    ),
    # A pattern that must match somewhere, not at the start (or not the whole string).
    _sibling(
        "AttributeError",
        r"'NoneType' object has no attribute '(group|start|end|span)",
        "match",
        "search",
    ),
    _sibling(
        "AttributeError",
        r"'NoneType' object has no attribute '(group|start|end|span)",
        "fullmatch",
        "search",
    ),
    _sibling(
        "AttributeError",
        r"'NoneType' object has no attribute '(group|start|end|span)",
        "fullmatch",
        "match",
    ),
    _sibling("AttributeError", r"'set' object has no attribute 'append'", "append", "add"),
    _sibling("AttributeError", r"'set' object has no attribute 'extend'", "extend", "update"),
    _sibling("AttributeError", r"'list' object has no attribute 'add'", "add", "append"),
    _sibling("AttributeError", r"'list' object has no attribute 'update'", "update", "extend"),
    # Decoding text that is already text: the call goes (more often than it turns into encode).
    _sibling("AttributeError", r"'str' object has no attribute 'decode'", "decode", DROP),
    _sibling("AttributeError", r"'str' object has no attribute 'decode'", "decode", "encode"),
    _sibling("AttributeError", r"'bytes' object has no attribute 'encode'", "encode", DROP),
    _sibling("AttributeError", r"'bytes' object has no attribute 'encode'", "encode", "decode"),
    _sibling(
        "AttributeError",
        r"'list' object has no attribute '(split|strip|lower|upper|replace|splitlines)'",
        "readlines",
        "read",
    ),
    _sibling(
        "TypeError",
        r"descriptor 'strftime' for '[\w.]+' objects doesn't apply to a 'str'",
        "strftime",
        "strptime",
    ),
    _sibling("TypeError", r"descriptor 'strptime' .*doesn't apply to", "strptime", "strftime"),
)
# Calls on the wrong side: `datetime.strptime(moment, fmt)` on a datetime formats it
# (`moment.strftime(fmt)`), and `text.strftime(fmt)` on a string parses it.
FORMAT_DATE = re.compile(r"strptime\(\) argument 1 must be str, not datetime")
PARSE_DATE = re.compile(r"'str' object has no attribute 'strftime'")
TEXT_INTO_BINARY = re.compile(
    r"write\(\) argument must be str, not bytes|can't concat bytes to str"
)
BINARY_INTO_TEXT = re.compile(r"a bytes-like object is required, not 'str'")
INT_NOT_ITERABLE = re.compile(r"'(int|float)' object is not iterable")


def _calls_on(view: SourceView, lines: tuple[int, ...]) -> list[ast.Call]:
    return [n for line in lines for n in expressions_at(view, line) if isinstance(n, ast.Call)]


def _name_of(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _lines(symptom: Symptom) -> tuple[int, ...]:
    return symptom.lines or ((symptom.line,) if symptom.line else ())


def for_symptom(view: SourceView, symptom: Symptom) -> Iterator[Mutant]:
    lines = _lines(symptom)
    if not lines:
        return
    calls: list[ast.Call] | None = None
    for sibling in SIBLINGS:
        if sibling.error_type != symptom.error_type or not sibling.pattern.search(symptom.message):
            continue
        calls = calls if calls is not None else _calls_on(view, lines)
        for call in calls:
            if _name_of(call) == sibling.old:
                mutant = _swap(view, call, sibling.new)
                if mutant is not None:
                    yield mutant
    if FORMAT_DATE.search(symptom.message):
        yield from _format_instead(view, lines)
    if PARSE_DATE.search(symptom.message):
        yield from _parse_instead(view, lines)
    if TEXT_INTO_BINARY.search(symptom.message):
        yield from _file_modes(view, lines, binary=True)
    if BINARY_INTO_TEXT.search(symptom.message):
        yield from _file_modes(view, lines, binary=False)
    if INT_NOT_ITERABLE.search(symptom.message):
        yield from _range_loops(view, lines)


def _swap(view: SourceView, call: ast.Call, new: str) -> Mutant | None:
    func = call.func
    start, end = view.span(func)
    old = _name_of(call)
    if view.source[end - len(old) : end] != old:
        return None
    if new == DROP:
        if not isinstance(func, ast.Attribute):
            return None
        a, b = view.span(call)
        return Mutant(Edit(a, b, view.text(func.value)), f"drop the .{old}() call", call.lineno, 2)
    return Mutant(Edit(end - len(old), end, new), f"sibling API {old} -> {new}", call.lineno, 1)


def _format_instead(view: SourceView, lines: tuple[int, ...]) -> Iterator[Mutant]:
    for call in _calls_on(view, lines):
        if _name_of(call) == "strptime" and len(call.args) == 2:
            moment, fmt = call.args
            text = view.text(moment)
            if not isinstance(moment, (ast.Name, ast.Attribute, ast.Call, ast.Subscript)):
                text = f"({text})"
            a, b = view.span(call)
            new = f"{text}.strftime({view.text(fmt)})"
            yield Mutant(Edit(a, b, new), "strptime -> strftime on the date", call.lineno, 2)


def _parse_instead(view: SourceView, lines: tuple[int, ...]) -> Iterator[Mutant]:
    parser = name_for(view, "datetime.datetime")
    if parser is None:
        return
    for call in _calls_on(view, lines):
        func = call.func
        if _name_of(call) == "strftime" and isinstance(func, ast.Attribute) and len(call.args) == 1:
            a, b = view.span(call)
            new = f"{parser}.strptime({view.text(func.value)}, {view.text(call.args[0])})"
            yield Mutant(Edit(a, b, new), "strftime -> strptime of the text", call.lineno, 2)


def _file_modes(view: SourceView, lines: tuple[int, ...], *, binary: bool) -> Iterator[Mutant]:
    """Toggle `b` in the mode of the `open` calls of the function the error surfaced in."""
    for line in lines[:1]:
        function = view.function_at(line)
        scope: ast.AST = function.node if function is not None else view.tree
        for node in own_nodes(scope):
            if not (isinstance(node, ast.Call) and _name_of(node) == "open"):
                continue
            mode = node.args[1] if len(node.args) > 1 else None
            mode = mode or next((k.value for k in node.keywords if k.arg == "mode"), None)
            if not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)):
                continue
            value = mode.value
            if binary == ("b" in value):
                continue
            new = value + "b" if binary else value.replace("b", "")
            a, b = view.span(mode)
            quote = view.source[b - 1]
            yield Mutant(
                Edit(a, b, f"{quote}{new}{quote}"),
                f"open mode {value!r} -> {new!r}",
                node.lineno,
                1,
            )


def _range_loops(view: SourceView, lines: tuple[int, ...]) -> Iterator[Mutant]:
    for line in lines[:1]:
        for statement in view.statements_on(line):
            if isinstance(statement, (ast.For, ast.AsyncFor)):
                a, b = view.span(statement.iter)
                new = f"range({view.source[a:b]})"
                yield Mutant(Edit(a, b, new), "loop over range(...)", line, 2)
        for node in expressions_at(view, line):
            if not isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue
            for loop in node.generators:
                a, b = view.span(loop.iter)
                new = f"range({view.source[a:b]})"
                yield Mutant(Edit(a, b, new), "loop over range(...)", line, 2)
