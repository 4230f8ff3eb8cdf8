"""String operators: a literal meant to be an f-string, and the separators of `split` and `join`.

A literal such as `"total: {total}"` whose braces name variables in scope was meant to be an
f-string; the operator adds the `f` prefix to exactly the string pieces holding such a
placeholder, and keeps the candidate only when the result still parses. When a message shows the
placeholder literally it guides the search to that literal first. Separators come from the
error: `invalid literal for int() with base 10: '1;2'` shows the data, so the separators present
in it are tried on the `split` calls where the error surfaced (or just before it, in the same
function); `not enough values to unpack` hides the data, so the usual separators are tried;
`too many values to unpack (expected 2)` asks for a `maxsplit`. `join` gets `map(str, ...)` for
non-string items, its receiver and argument swapped when they are the wrong way round, and,
structurally, the usual alternative separators.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections import Counter
from collections.abc import Iterator

from fixloop import pyast
from fixloop.repair.edits import expressions_at, inner_span, nodes_on, own_nodes
from fixloop.repair.mutate import Mutant
from fixloop.repair.source import SourceView
from fixloop.repair.symptoms import Symptom
from fixloop.spans import Edit

PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)(?:[.\[][^{}]*)?(?:![rsa])?(?::[^{}]*)?\}")
SHOWN_DATA = re.compile(
    r"invalid literal for int\(\) with base \d+: '(.*)'$|could not convert string to float: '(.*)'$"
)
NOT_ENOUGH = re.compile(r"not enough values to unpack \(expected (\d+), got 1\)")
TOO_MANY = re.compile(r"too many values to unpack \(expected (\d+)")
JOIN_ITEMS = re.compile(r"sequence item \d+: expected str instance, \w+ found")
JOIN_REVERSED = re.compile(r"'(list|tuple|set|dict)' object has no attribute 'join'|can only join")
# Without the data in the message, the separators files and user input use most.
USUAL_SEPARATORS = (",", ";", " ", "\t", ":", "|", "=", "-")
JOIN_SEPARATORS = (", ", ",", " ", "", "\n", "-")
WHITESPACE = None  # `split()` with no argument: any run of whitespace


def _placeholders(text: str) -> set[str]:
    return {m.group(1) for m in PLACEHOLDER.finditer(text)}


def _string_pieces(text: str) -> list[tuple[int, str]]:
    """(offset in `text`, token) of each string literal token (implicit concatenation)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    pieces = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING:
                row, col = token.start
                pieces.append((starts[row - 1] + col, token.string))
    except (tokenize.TokenError, SyntaxError):
        return []
    return pieces


def _meant_as_fstring(view: SourceView, node: ast.Constant, names: set[str]) -> Mutant | None:
    parent = view.parent(node)
    if isinstance(parent, ast.JoinedStr) or isinstance(parent, ast.Expr):
        return None  # part of an f-string already, or a docstring
    if isinstance(parent, ast.Attribute) and parent.attr in ("format", "format_map"):
        return None
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Mod) and parent.left is node:
        return None
    start, end = view.span(node)
    text = view.source[start:end]
    edits: list[tuple[int, str]] = []
    for offset, piece in _string_pieces(text):
        prefix = re.match(r"[A-Za-z]*", piece)
        letters = prefix.group(0).lower() if prefix else ""
        if "f" in letters or "b" in letters or not (_placeholders(piece) & names):
            continue
        edits.append((offset, "f" if "u" not in letters else ""))
    if not edits:
        return None
    new = text
    for offset, letter in sorted(edits, reverse=True):
        if letter:
            new = new[:offset] + letter + new[offset:]
        else:  # u"..." cannot carry a second prefix letter: u becomes f
            new = new[:offset] + "f" + new[offset + 1 :]
    try:
        pyast.parse(f"({new})", mode="eval")
    except SyntaxError:
        return None
    return Mutant(Edit(start, end, new), "make the string an f-string", node.lineno, 1)


def fstrings_at_line(view: SourceView, line: int) -> Iterator[Mutant]:
    names: set[str] = set()
    for node in nodes_on(view, line):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if PLACEHOLDER.search(node.value) is None:
            continue
        names = names or set(view.names_in_scope(line)) | {"self", "cls"}
        mutant = _meant_as_fstring(view, node, names)
        if mutant is not None:
            yield mutant


def fstrings_for_symptom(view: SourceView, symptom: Symptom) -> Iterator[Mutant]:
    """Literals holding a placeholder that the message shows verbatim (`hello {name}`)."""
    shown = _placeholders(symptom.message)
    if not shown:
        return
    for node in ast.walk(view.tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _placeholders(node.value) & shown:
                names = set(view.names_in_scope(node.lineno)) | {"self", "cls"}
                mutant = _meant_as_fstring(view, node, names)
                if mutant is not None:
                    yield mutant


def _quoted(text: str | None, like: str) -> str:
    if text is None:
        return "None"
    quote = "'" if like.startswith("'") else '"'
    escaped = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    return quote + escaped.replace(quote, "\\" + quote) + quote


def _split_calls(view: SourceView, lines: tuple[int, ...]) -> list[ast.Call]:
    """`split`/`rsplit` calls on the failing line, else earlier in its function, nearest first."""
    for line in lines:
        function = view.function_at(line)
        scope: ast.AST = function.node if function is not None else view.tree
        calls = [
            node
            for node in own_nodes(scope)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("split", "rsplit")
            and node.lineno <= line
        ]
        on_line = [c for c in calls if c.lineno <= line <= (c.end_lineno or c.lineno)]
        if on_line or calls:
            return on_line or sorted(calls, key=lambda c: -c.lineno)[:2]
    return []


def _with_separator(view: SourceView, call: ast.Call, sep: str | None, maxsplit: str) -> Edit:
    """The call's argument list rewritten to `(sep[, maxsplit])`."""
    func_end = view.span(call.func)[1]
    _, end = view.span(call)
    current = call.args[0] if call.args else None
    like = view.text(current) if current is not None else _free_quote(view, call)
    if maxsplit == "" and "maxsplit" not in (k.arg for k in call.keywords) and len(call.args) > 1:
        maxsplit = view.text(call.args[1])
    if sep is None and not maxsplit:
        return Edit(func_end, end, "()")
    args = _quoted(sep, like) + (f", {maxsplit}" if maxsplit else "")
    return Edit(func_end, end, f"({args})")


def _enclosing_fstring(view: SourceView, node: ast.AST) -> ast.JoinedStr | None:
    current = view.parent(node)
    while current is not None and not isinstance(current, ast.JoinedStr):
        current = view.parent(current)
    return current


def _inside_fstring(view: SourceView, node: ast.AST) -> bool:
    return _enclosing_fstring(view, node) is not None


def _free_quote(view: SourceView, node: ast.AST) -> str:
    """A quote a new literal at `node` may use: inside an f-string, before Python 3.12, the
    f-string's own quote would end it early, so the other one."""
    fstring = _enclosing_fstring(view, node)
    if fstring is None:
        return '"'
    opening = view.text(fstring).lstrip("rRbBfFuU")[:1]
    return "'" if opening == '"' else '"'


def separators_for_symptom(view: SourceView, symptom: Symptom) -> Iterator[Mutant]:
    if symptom.error_type == "ValueError":
        yield from _split_separators(view, symptom)
    yield from _join_fixes(view, symptom)


def _split_options(message: str, current: str | None) -> list[tuple[str | None, str]]:
    """(separator, maxsplit) pairs to try on a `split` whose separator is now `current`."""
    shown = SHOWN_DATA.search(message)
    if shown is not None:
        data = shown.group(1) if shown.group(1) is not None else shown.group(2)
        counts = Counter(c for c in data if not c.isalnum() and c not in "._")
        found = [WHITESPACE if char.isspace() else char for char, _ in counts.most_common()]
        return [(sep, "") for sep in dict.fromkeys(found) if sep != current]
    if NOT_ENOUGH.search(message):
        return [(sep, "") for sep in (*USUAL_SEPARATORS, WHITESPACE) if sep != current]
    too_many = TOO_MANY.search(message)
    if too_many is None:
        return []
    options = [(current, str(int(too_many.group(1)) - 1))]
    if current is not None and current.isspace():
        options.append((WHITESPACE, ""))  # `split(" ")` where runs of spaces need `split()`
    return options


def _split_separators(view: SourceView, symptom: Symptom) -> Iterator[Mutant]:
    lines = symptom.lines or ((symptom.line,) if symptom.line else ())
    for call in _split_calls(view, lines):
        current = call.args[0] if call.args else None
        current_sep = WHITESPACE
        if current is not None:
            if not (isinstance(current, ast.Constant) and isinstance(current.value, str)):
                continue  # a separator held in a variable: the mutation search renames it
            current_sep = current.value
        in_fstring = _inside_fstring(view, call)
        for sep, maxsplit in _split_options(symptom.message, current_sep):
            edit = _with_separator(view, call, sep, maxsplit)
            if in_fstring and "\\" in edit.text:
                continue  # before Python 3.12 an f-string's expressions cannot hold a backslash
            shown = "whitespace" if sep is None else repr(sep)
            limit = f", {maxsplit}" if maxsplit else ""
            method = call.func.attr if isinstance(call.func, ast.Attribute) else "split"
            yield Mutant(edit, f"separator: {method}({shown}{limit})", call.lineno, 2)


def _join_fixes(view: SourceView, symptom: Symptom) -> Iterator[Mutant]:
    items = JOIN_ITEMS.search(symptom.message)
    reversed_ = JOIN_REVERSED.search(symptom.message)
    if items is None and reversed_ is None:
        return
    lines = symptom.lines or ((symptom.line,) if symptom.line else ())
    for node in (n for line in lines for n in expressions_at(view, line)):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "join"
            and len(node.args) == 1
        ):
            continue
        receiver, argument = node.func.value, node.args[0]
        if items is not None:
            a, b = inner_span(view, node, argument)
            new = f"map(str, {view.source[a:b]})"
            if (a, b) != view.span(argument):
                new = f"map(str, ({view.source[a:b]}))"
            yield Mutant(Edit(a, b, new), "join the items as str", node.lineno, 2)
        else:
            a, b = view.span(node)
            new = f"{view.text(argument)}.join({view.text(receiver)})"
            if not isinstance(argument, (ast.Constant, ast.Name, ast.Attribute)):
                new = f"({view.text(argument)}).join({view.text(receiver)})"
            yield Mutant(Edit(a, b, new), "swap join's separator and items", node.lineno, 2)


def join_separators_at_line(view: SourceView, line: int) -> Iterator[Mutant]:
    for node in nodes_on(view, line):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "join"
            and isinstance(node.func.value, ast.Constant)
            and isinstance(node.func.value.value, str)
        ):
            literal = node.func.value
            a, b = view.span(literal)
            in_fstring = _inside_fstring(view, node)
            for sep in JOIN_SEPARATORS:
                if sep != literal.value:
                    new = _quoted(sep, view.text(literal))
                    if in_fstring and "\\" in new:
                        continue  # not expressible in an f-string's expression before 3.12
                    yield Mutant(Edit(a, b, new), f"join separator -> {sep!r}", line, 2)
