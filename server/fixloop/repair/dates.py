"""Date format strings: derived from the data a failed `strptime` showed, or one directive off.

`ValueError: time data '03/04/2024' does not match format '%Y-%m-%d'` carries both the data and
the format. The data is cut into fields (digit runs, words) and separators; formats are built
for it: first the original directives in their order with the data's separators, then the usual
layouts (year first, day-month-year, month-day-year, times with `:`, fractions, AM/PM, month and
weekday names, UTC offsets), the original's day/month order preferred. Only formats that really
parse the shown data are offered (the engine checks with `datetime.strptime`, on the message's
text, in its own process). `unconverted data remains: ...` extends the format by a part for the
remainder. Structurally, a `strftime`/`strptime` format on a suspicious line gets the classic
one-directive slips: `%m`/`%M`, `%y`/`%Y`, `%H`/`%I`, `%b`/`%B`, day and month swapped.
"""

from __future__ import annotations

import ast
import calendar
import itertools
import re
from collections.abc import Iterator
from datetime import datetime

from fixloop.repair.edits import expressions_at, nodes_on
from fixloop.repair.mutate import Mutant
from fixloop.repair.source import SourceView
from fixloop.repair.symptoms import Symptom
from fixloop.spans import Edit

NO_MATCH = re.compile(r"time data '(.*)' does not match format '(.*)'$", re.S)
REMAINS = re.compile(r"unconverted data remains: (.*)$", re.S)
DIRECTIVE = re.compile(r"%[-#]?[a-zA-Z]")
FIELD = re.compile(r"\d+|[A-Za-z]+|[^\dA-Za-z]+")
OFFSET = re.compile(r"[+-]\d\d:?\d\d$")
MAX_FORMATS = 6
DATE_ORDERS = {  # for three numeric date fields, by where the four-digit year stands
    "first": ("Ymd", "Ydm"),
    "last": ("dmY", "mdY"),
    "none": ("dmy", "mdy", "ymd"),
}
SLIPS: tuple[tuple[str, str], ...] = (("%m", "%M"), ("%M", "%m"), ("%y", "%Y"), ("%Y", "%y"))
SLIPS += (("%H", "%I"), ("%I", "%H"), ("%b", "%B"), ("%B", "%b"), ("%a", "%A"), ("%A", "%a"))


def parses(data: str, fmt: str) -> bool:
    try:
        datetime.strptime(data, fmt)
    except (ValueError, TypeError):
        return False
    return True


def _word_directive(word: str) -> str:
    lower = word.lower()
    if lower in (m.lower() for m in calendar.month_name[1:]):
        return "%B"
    if lower in (m.lower() for m in calendar.month_abbr[1:]):
        return "%b"
    if lower in (d.lower() for d in calendar.day_name):
        return "%A"
    if lower in (d.lower() for d in calendar.day_abbr):
        return "%a"
    if lower in ("am", "pm"):
        return "%p"
    return word.replace("%", "%%")  # a literal word such as "T" or "at"


def _same_directives(data: str, original: str) -> str | None:
    """The original directives in order, with the data's separators (and digit/name kinds)."""
    tokens = FIELD.findall(data)
    directives = [d for d in DIRECTIVE.findall(original) if d != "%%"]
    fields = [t for t in tokens if t[0].isalnum()]
    if len(fields) != len(directives):
        return None
    out, index = [], 0
    for token in tokens:
        if not token[0].isalnum():
            out.append(token.replace("%", "%%"))
            continue
        directive = directives[index].replace("-", "").replace("#", "")
        index += 1
        if token.isdigit() and directive in ("%b", "%B"):
            directive = "%m"
        elif token.isalpha() and directive in ("%m", "%b", "%B"):
            directive = _word_directive(token)
        elif token.isdigit() and directive == "%Y" and len(token) == 2:
            directive = "%y"
        elif token.isdigit() and directive == "%y" and len(token) == 4:
            directive = "%Y"
        out.append(directive)
    return "".join(out)


def _layouts(data: str, prefer: str) -> Iterator[str]:
    """Formats for `data` from its shape alone, in order of how usual they are."""
    offset = OFFSET.search(data)
    body = data[: offset.start()] if offset else data
    tokens = FIELD.findall(body)
    slots: list[str | None] = []  # a directive, or None for a date field still to decide
    for index, token in enumerate(tokens):
        before = tokens[index - 1] if index else ""
        after = tokens[index + 1] if index + 1 < len(tokens) else ""
        if not token[0].isalnum():
            slots.append(token.replace("%", "%%"))
        elif token.isalpha():
            slots.append(_word_directive(token))
        elif len(token) == 8:
            slots.append("%Y%m%d")
        elif len(token) == 4 and ":" not in (before, after):
            slots.append("%Y")
        elif before == ":" or after == ":":
            slots.append("%T")  # a time field; which one is known once all are seen
        elif before == "." and index >= 2 and tokens[index - 2].isdigit() and ":" in tokens:
            slots.append("%f")
        else:
            slots.append(None)
    times = iter(("%H", "%M", "%S"))
    twelve_hour = "%p" in slots
    for index, slot in enumerate(slots):
        if slot == "%T":
            slots[index] = next(times, "%S")
            if slots[index] == "%H" and twelve_hour:
                slots[index] = "%I"
    open_fields = [i for i, slot in enumerate(slots) if slot is None]
    year_at = next((i for i, s in enumerate(slots) if s == "%Y"), None)
    if len(open_fields) == 2 and year_at is not None:
        where = "first" if year_at < open_fields[0] else "last"
        orders = [o.replace("Y", "") for o in DATE_ORDERS[where]]
    elif len(open_fields) == 3:
        orders = list(DATE_ORDERS["none"])
    elif len(open_fields) == 1:
        orders = ["m" if "%b" not in slots and "%B" not in slots else "d", "d"]
    else:
        orders = [""] if not open_fields else []
    orders.sort(key=lambda order: _order_of(order) != _order_of(prefer))
    for order in orders:
        filled = list(slots)
        for index, letter in zip(open_fields, order, strict=False):
            filled[index] = f"%{letter}"
        if None in filled:
            continue
        yield "".join(s for s in filled if s is not None) + ("%z" if offset else "")


def _order_of(fmt: str) -> str:
    """Day/month order of a format or an order string: "dm", "md" or ""."""
    letters = [c for c in fmt.replace("%", "") if c in "dm"]
    return "".join(letters[:2])


def formats_for(data: str, original: str) -> list[str]:
    """Formats that parse `data`, the one closest to `original` first; never `original`."""
    found: list[str] = []
    same = _same_directives(data, original)
    for fmt in itertools.chain([same] if same else [], _layouts(data, original)):
        # A format of literal words alone "parses" its own text: it needs a directive.
        fresh = fmt != original and fmt not in found and DIRECTIVE.search(fmt)
        if fresh and parses(data, fmt):
            found.append(fmt)
    return found[:MAX_FORMATS]


def _literal_body(view: SourceView, node: ast.Constant) -> tuple[int, int] | None:
    """Offsets of the characters between the quotes, when they spell the value exactly."""
    text = view.text(node)
    match = re.fullmatch(r"([rRuU]?)('''|\"\"\"|'|\")(.*)\2", text, re.S)
    if match is None or match.group(3) != node.value:
        return None  # escapes, concatenation or an f-string: leave it to other operators
    start, _ = view.span(node)
    body_start = start + len(match.group(1)) + len(match.group(2))
    return body_start, body_start + len(match.group(3))


def _format_literals(view: SourceView, value: str, lines: tuple[int, ...]) -> list[ast.Constant]:
    literals = [
        node
        for node in ast.walk(view.tree)
        if isinstance(node, ast.Constant) and node.value == value and isinstance(value, str)
    ]
    # The literal on the failing lines first, then a constant defined elsewhere in the file.
    literals.sort(key=lambda n: (n.lineno not in lines, n.lineno, n.col_offset))
    return literals


def for_symptom(view: SourceView, symptom: Symptom) -> Iterator[Mutant]:
    if symptom.error_type != "ValueError":
        return
    lines = symptom.lines or ((symptom.line,) if symptom.line else ())
    mismatch = NO_MATCH.search(symptom.message)
    if mismatch is not None:
        data, original = mismatch.groups()
        replacements = formats_for(data, original)
        for literal in _format_literals(view, original, lines):
            yield from _rewrites(view, literal, replacements)
        return
    remains = REMAINS.search(symptom.message)
    if remains is None:
        return
    rest = remains.group(1)
    for line in lines[:1]:
        for node in expressions_at(view, line):
            if isinstance(node, ast.Call) and _is_date_call(node, "strptime"):
                fmt = node.args[1] if len(node.args) > 1 else None
                if isinstance(fmt, ast.Constant) and isinstance(fmt.value, str):
                    tails = [t for t in _layouts(rest, fmt.value) if parses(rest, t)]
                    yield from _rewrites(view, fmt, [fmt.value + t for t in tails[:MAX_FORMATS]])


def _is_date_call(node: ast.Call, name: str) -> bool:
    return isinstance(node.func, ast.Attribute) and node.func.attr == name


def _rewrites(view: SourceView, literal: ast.Constant, formats: list[str]) -> Iterator[Mutant]:
    body = _literal_body(view, literal)
    if body is None:
        return
    quote = view.source[body[1]]
    for fmt in formats:
        if quote in fmt or "\\" in fmt:
            continue
        origin = f"date format {literal.value!r} -> {fmt!r}"
        yield Mutant(Edit(body[0], body[1], fmt), origin, literal.lineno, 2)


def at_line(view: SourceView, line: int) -> Iterator[Mutant]:
    """One-directive slips in a `strftime`/`strptime` format literal on `line`."""
    for node in nodes_on(view, line):
        if not isinstance(node, ast.Call):
            continue
        if not (_is_date_call(node, "strftime") or _is_date_call(node, "strptime")):
            continue
        for fmt in node.args[-1:]:
            if isinstance(fmt, ast.Constant) and isinstance(fmt.value, str):
                yield from _rewrites(view, fmt, list(_slips(fmt.value)))


def _slips(fmt: str) -> Iterator[str]:
    for old, new in SLIPS:
        if old in fmt:
            yield fmt.replace(old, new)
    day, month = fmt.find("%d"), fmt.find("%m")
    if day >= 0 and month >= 0:
        yield fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
