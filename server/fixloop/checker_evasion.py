"""Edits that hide a checker's diagnostic instead of clearing it.

A fix asked to clear a checker's diagnostic must not tell the checker to look away: a new
suppression comment or decorator (`# type: ignore`, `# noqa`, `# pyright:`, `# mypy:`,
`@no_type_check`) is refused for every checker, and for the type checkers (mypy, pyright) so
is a new `typing.cast`, `Any` or `TYPE_CHECKING` (code only the checker sees), and an annotation dropped from a function the original
annotated (mypy does not check the body of a function without annotations). `evasion` names the
first such edit of a candidate, comparing it with the original; it reads text only.
"""

from __future__ import annotations

import ast
import re
from collections import Counter

from fixloop import pyast

_SUPPRESSION = re.compile(
    r"#\s*(?:type\s*:\s*ignore|noqa|ruff\s*:\s*noqa|pyright\s*:|mypy\s*:|pyre-|pytype\s*:)"
    r"|\bno_type_check\b",
    re.IGNORECASE,
)
# For the type checkers: ways to make a type check pass whatever the value is.
_TYPE_ESCAPES = re.compile(r"\bcast\s*\(|\bAny\b|\bTYPE_CHECKING\b")
TYPE_CHECKERS = ("mypy", "pyright")


def _added(pattern: re.Pattern[str], original: str, text: str) -> str | None:
    fold = bool(pattern.flags & re.IGNORECASE)
    before = Counter(m.group(0).lower() if fold else m.group(0) for m in pattern.finditer(original))
    after = Counter(m.group(0).lower() if fold else m.group(0) for m in pattern.finditer(text))
    added = [marker for marker, count in after.items() if count > before[marker]]
    return added[0] if added else None


def silences_checker(original: str, text: str) -> str | None:
    """The first checker suppression (`# type: ignore`, `# noqa`, `@no_type_check`...) that
    `text` has more of than `original`, or None."""
    return _added(_SUPPRESSION, original, text)


def _annotations(source: str) -> dict[str, set[str]]:
    """Each function (by its dotted name) and what of it is annotated: its parameters by name,
    and "return"."""
    try:
        tree = pyast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    found: dict[str, set[str]] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                args = child.args
                every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
                annotated = {a.arg for a in every if a is not None and a.annotation is not None}
                if child.returns is not None:
                    annotated.add("return")
                found[name] = annotated
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return found


def drops_annotations(original: str, text: str) -> str | None:
    """The first function whose annotation `text` removes (a function both versions define)."""
    before, after = _annotations(original), _annotations(text)
    for name, annotated in before.items():
        lost = annotated - after.get(name, annotated)
        if lost:
            which = "return" if "return" in lost else sorted(lost)[0]
            return f"the annotation of {which!r} in {name}()"
    return None


def evasion(tool: str, original: str, text: str) -> str | None:
    """How `text` hides the checker's diagnostics rather than clearing them, or None."""
    silenced = silences_checker(original, text)
    if silenced:
        return f"adds {silenced!r}"
    if tool not in TYPE_CHECKERS:
        return None
    escape = _added(_TYPE_ESCAPES, original, text)
    if escape:
        return f"adds {escape.rstrip('( ')!r}"
    dropped = drops_annotations(original, text)
    return f"removes {dropped}" if dropped else None
