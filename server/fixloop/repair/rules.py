"""Failure-driven repair rules: the error message says what kind of fix to try first.

`NameError` suggests a missing standard-library import or a near-miss name; `AttributeError`,
`ImportError` and `ModuleNotFoundError` a near-miss attribute or module; a `TypeError` from
mixing `str` and `int` a conversion; `IndexError`, `KeyError`, `ZeroDivisionError` and an
`AttributeError` on `None` a guard; `RecursionError` a base case. Syntax and indentation errors
cannot be parsed, so their rules edit text around the reported line: a missing colon, bracket,
comma or quote, or mixed indentation. Rules return whole-file candidate texts, cheapest first.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from fixloop.repair.source import COMMON_BUILTINS, SourceView, import_area_end

STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))
FROM_IMPORT_MODULES = (
    "math",
    "os",
    "re",
    "random",
    "itertools",
    "functools",
    "collections",
    "string",
    "json",
    "time",
    "datetime",
    "statistics",
    "operator",
    "typing",
    "heapq",
    "bisect",
    "copy",
    "fractions",
    "decimal",
    "pathlib",
)
BUILTIN_TYPES = {
    "list": list,
    "dict": dict,
    "str": str,
    "set": set,
    "tuple": tuple,
    "int": int,
    "float": float,
    "bytes": bytes,
    "frozenset": frozenset,
}
BLOCK_KEYWORDS = (
    "def ",
    "class ",
    "if ",
    "elif ",
    "else",
    "for ",
    "while ",
    "try",
    "except",
    "finally",
    "with ",
    "async def ",
    "async for ",
    "async with ",
)


@dataclass(frozen=True)
class RuleCandidate:
    text: str  # the whole new file
    origin: str
    line: int


def syntax_candidates(source: str, line: int, message: str) -> Iterator[RuleCandidate]:
    """Text edits for a SyntaxError/IndentationError reported at `line`."""
    lines = source.splitlines(keepends=True)
    if not lines:
        return
    # The culprit is often the line before the reported one (an unclosed bracket, a missing colon).
    for index in (line - 1, line - 2, line, line - 3):
        if not 0 <= index < len(lines):
            continue
        text = lines[index]
        body = text.rstrip("\r\n")
        ending = text[len(body) :] or "\n"
        stripped = body.strip()
        code = _code_part(body)
        fixes: list[tuple[str, str]] = []
        if stripped.startswith(BLOCK_KEYWORDS) and not code.rstrip().endswith(":"):
            fixes.append((code.rstrip() + ":" + body[len(code) :], "add the missing colon"))
        for opener, closer in (("(", ")"), ("[", "]"), ("{", "}")):
            missing = code.count(opener) - code.count(closer)
            if missing > 0:
                if code.rstrip().endswith(":"):
                    head = code.rstrip()[:-1]
                    fixes.append(
                        (head + closer * missing + ":" + body[len(code) :], f"close {opener}")
                    )
                fixes.append(
                    (code.rstrip() + closer * missing + body[len(code) :], f"close {opener}")
                )
            elif missing < 0:
                position = code.rfind(closer)
                fixes.append((body[:position] + body[position + 1 :], f"remove the extra {closer}"))
        for quote in ('"', "'"):
            if code.count(quote) % 2 == 1:
                fixes.append(
                    (code.rstrip() + quote + body[len(code) :], f"close the {quote} string")
                )
                if code.rstrip().endswith((")", "]", ":")):
                    tail = len(code.rstrip()) - 1
                    fixes.append((code[:tail] + quote + code[tail:], f"close the {quote} string"))
        for match in re.finditer(r"(?<=[\w\)\]\}'\"])\s+(?=[\w\(\[\{'\"])", code):
            fixes.append(
                (body[: match.start()] + "," + body[match.start() :], "add the missing comma")
            )
        if "=" in code and re.match(r"\s*(if|elif|while)\b", code) and "==" not in code:
            fixes.append(
                (re.sub(r"(?<![=!<>])=(?!=)", "==", body, count=1), "use == in a condition")
            )
        for fixed, origin in fixes:
            new_lines = list(lines)
            new_lines[index] = fixed + ending
            yield RuleCandidate("".join(new_lines), origin, index + 1)
    yield from _indentation_candidates(lines, line, message)


def _code_part(body: str) -> str:
    """The line without a trailing comment (ignoring # inside simple quotes)."""
    in_quote = ""
    for position, char in enumerate(body):
        if in_quote:
            if char == in_quote:
                in_quote = ""
        elif char in "\"'":
            in_quote = char
        elif char == "#":
            return body[:position]
    return body


def _indentation_candidates(lines: list[str], line: int, message: str) -> Iterator[RuleCandidate]:
    if any("\t" in ln[: len(ln) - len(ln.lstrip())] for ln in lines):
        expanded = [_expand_indent(ln) for ln in lines]
        yield RuleCandidate("".join(expanded), "replace tabs in indentation with spaces", line)
    index = line - 1
    if not 0 <= index < len(lines):
        return
    text = lines[index]
    stripped = text.lstrip(" \t")
    previous = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
    previous_indent = previous[: len(previous) - len(previous.lstrip(" \t"))]
    levels = sorted({len(ln) - len(ln.lstrip(" ")) for ln in lines[:index] if ln.strip()})
    options = [previous_indent + "    ", previous_indent] + [
        " " * level for level in reversed(levels)
    ]
    for indent in dict.fromkeys(options):
        if indent + stripped != text:
            new = list(lines)
            new[index] = indent + stripped
            yield RuleCandidate(
                "".join(new), f"re-indent line {line} to {len(indent)} spaces", line
            )


def _expand_indent(line: str) -> str:
    body = line.lstrip(" \t")
    indent = line[: len(line) - len(body)]
    return indent.expandtabs(4) + body


def error_candidates(
    view: SourceView, error_type: str, message: str, line: int | None, allow_header: bool
) -> Iterator[RuleCandidate]:
    """Whole-file candidates for a runtime error raised on `line` of this file."""
    if error_type == "NameError":
        match = re.search(r"name '(\w+)' is not defined", message)
        if match:
            yield from _missing_name(view, match.group(1), line, allow_header)
    elif error_type == "AttributeError":
        match = re.search(r"'(\w+)' object has no attribute '(\w+)'", message)
        module_match = re.search(r"module '([\w.]+)' has no attribute '(\w+)'", message)
        if match and match.group(1) != "NoneType":
            owner = BINARY_OWNER.get(match.group(1))
            pool = dir(owner) if owner is not None else view.attribute_names
            yield from _rename_attribute(view, match.group(2), pool, line)
        elif module_match:
            pool = _module_dir(module_match.group(1)) or view.attribute_names
            yield from _rename_attribute(view, module_match.group(2), pool, line)
    elif error_type in ("ImportError", "ModuleNotFoundError"):
        match = re.search(r"cannot import name '(\w+)' from '([\w.]+)'", message)
        module_match = re.search(r"No module named '([\w.]+)'", message)
        if match:
            yield from _rename_word(view, match.group(1), _module_dir(match.group(2)), None)
        elif module_match:
            name = module_match.group(1).split(".")[0]
            yield from _rename_word(view, name, sorted(STDLIB), None)


BINARY_OWNER: dict[str, object] = dict(BUILTIN_TYPES)


def _module_dir(name: str) -> list[str]:
    if name.split(".")[0] not in STDLIB:
        return []
    try:
        module = importlib.import_module(name)
    except Exception:  # a stdlib module that does not import here has nothing to offer
        return []
    return [n for n in dir(module) if not n.startswith("_")]


def _missing_name(
    view: SourceView, name: str, line: int | None, allow_header: bool
) -> Iterator[RuleCandidate]:
    imports: list[str] = []
    if name in STDLIB:
        imports.append(f"import {name}")
    for module in FROM_IMPORT_MODULES:
        if name in _module_dir(module):
            imports.append(f"from {module} import {name}")
    for statement in imports:
        if allow_header:
            after = import_area_end(view)
            offset = view.line_end(after) if after else 0
            text = view.source[:offset] + statement + "\n" + view.source[offset:]
            yield RuleCandidate(text, f"add `{statement}`", line or 1)
        if line is not None:
            function = view.function_at(line)
            if function is not None and function.node.body:
                first = function.node.body[0]
                at = view.line_start(first.lineno)
                indent = view.indent_of(first.lineno)
                text = view.source[:at] + f"{indent}{statement}\n" + view.source[at:]
                yield RuleCandidate(text, f"add `{statement}` in {function.name}", line)
    pool = view.names_in_scope(line or 1) + list(COMMON_BUILTINS)
    yield from _rename_word(view, name, pool, line)


def _rename_attribute(
    view: SourceView, attr: str, pool: list[str], line: int | None
) -> Iterator[RuleCandidate]:
    for new in difflib.get_close_matches(attr, [p for p in pool if p != attr], n=4, cutoff=0.5):
        for node in ast.walk(view.tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == attr
                and (line is None or node.lineno == line)
            ):
                _, end = view.span(node)
                text = view.source[: end - len(attr)] + new + view.source[end:]
                yield RuleCandidate(text, f"attribute {attr} -> {new}", node.lineno)


def _rename_word(
    view: SourceView, word: str, pool: list[str], line: int | None
) -> Iterator[RuleCandidate]:
    """Replace `word` as a whole identifier (on `line`, or everywhere) with a near miss."""
    for new in difflib.get_close_matches(word, [p for p in pool if p != word], n=4, cutoff=0.6):
        pattern = re.compile(rf"\b{re.escape(word)}\b")
        if line is None:
            text = pattern.sub(new, view.source)
            where = 1
        else:
            start, end = view.line_start(line), view.line_end(line)
            text = (
                view.source[:start] + pattern.sub(new, view.source[start:end]) + view.source[end:]
            )
            where = line
        if text != view.source:
            yield RuleCandidate(text, f"name {word} -> {new}", where)


def type_conversion_candidates(view: SourceView, line: int) -> Iterator[RuleCandidate]:
    """str/int mix-ups on `line`: convert one operand of `+` or a comparison."""
    for node in ast.walk(view.tree):
        if isinstance(node, (ast.BinOp, ast.Compare)) and getattr(node, "lineno", 0) == line:
            operands = (
                [node.left, node.right]
                if isinstance(node, ast.BinOp)
                else [node.left, *node.comparators]
            )
            for operand in operands:
                if isinstance(operand, ast.Constant) and isinstance(operand.value, str):
                    continue
                a, b = view.span(operand)
                for wrapper in ("str", "int", "float"):
                    text = view.source[:a] + f"{wrapper}({view.source[a:b]})" + view.source[b:]
                    yield RuleCandidate(text, f"convert with {wrapper}()", line)
        if isinstance(node, ast.JoinedStr):
            continue


def base_case_candidates(view: SourceView, function_name: str) -> Iterator[RuleCandidate]:
    """Insert a base case at the top of a function that recursed without end."""
    for function in view.functions:
        if function.name != function_name or not function.node.body:
            continue
        body = function.node.body
        first = body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and len(body) > 1:
            first = body[1]
        at = view.line_start(first.lineno)
        indent = view.indent_of(first.lineno)
        params = [a.arg for a in function.node.args.args if a.arg not in ("self", "cls")]
        for param in params:
            for condition, value in (
                (f"{param} <= 0", "0"),
                (f"{param} <= 1", param),
                (f"{param} <= 1", "1"),
                (f"{param} <= 0", "1"),
                (f"not {param}", param),
                (f"not {param}", "0"),
                (f"len({param}) <= 1", param),
                (f"{param} is None", "0"),
                (f"{param} == 0", "0"),
                (f"{param} == 0", "1"),
            ):
                guard = f"{indent}if {condition}:\n{indent}    return {value}\n"
                yield RuleCandidate(
                    view.source[:at] + guard + view.source[at:],
                    f"base case `if {condition}: return {value}`",
                    first.lineno,
                )
