"""The shape of a candidate's edit, which ranks the candidates that pass: kind, size, place.

When several candidates pass, the loop prefers, in this order (see `PassingCandidate.rank_key`):
- an edit that restores a computation over one that only stops the error: a guard that skips
  the failing work, or an edit that leaves a value the original computed and used unused (a
  local assigned and never read any more: `ranking = xs.sort()` answered by reading `xs`
  instead of `ranking`). A guard is what the candidate adds and the original does not have: an `if` without `else` that exits
  early (`return`, `continue`, `break`, `pass`) or wraps statements so they may not run, a
  `try` statement, a value defaulted with `x or <literal>`, or a conditional expression with a
  literal branch. With no tests (the script oracle) there is one exception: an edit that only
  rewrites lines that never once completed in the original run has nothing to show that it
  restores the intended computation (`/` made `*` in `sum(xs) / len(xs)` also stops a
  ZeroDivisionError), so it ranks after the guards, which change only the failing path;
- the smaller edit: how many tokens differ between the original's changed lines and the
  candidate's, in classes (up to 6 tokens, up to 15, more), so edits of about the same size
  keep the order the engine found them in (its order knows which operators are likelier: a
  dropped clause before another name, both one small edit);
- the edit nearer the suspicious lines: the best rank, in fault localisation's order, of a
  line the edit touches.
Everything here is computed from the two texts, so the order is deterministic.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from fixloop.patch import changed_lines, kept_lines
from fixloop.repair.region import EditRegion

# A string literal (on one line) is one token, as are a negative number and an operator: `+ 1`
# -> `+ -1` is no smaller an edit than `+ 1` -> `- 1`, nor `>` -> `>=` than `>` -> `==`.
_TOKEN = re.compile(
    r"""[rbuf]*'[^'\n]*'|[rbuf]*"[^"\n]*"|-?\d[\w.]*|\w+"""
    r"""|\*\*=?|//=?|<<=?|>>=?|->|[-+*/%&|^<>!=:@]=|[^\w\s]""",
    re.IGNORECASE,
)
# Edits of about the same size keep the order the engine found them in (its order encodes which
# edits are likelier): sizes count in classes, up to these many tokens each.
SIZE_CLASSES = (6, 15)
EXITS = (ast.Return, ast.Continue, ast.Break, ast.Pass)


@dataclass(frozen=True)
class EditShape:
    skip_guard: bool  # it adds a guard that can skip the failing work, or discards a value
    size: int  # tokens removed plus tokens added
    distance: int  # rank of the most suspicious line it touches (0 = the most suspicious)
    unevidenced: bool = False  # script oracle: it rewrites only lines that never completed

    @property
    def size_class(self) -> int:
        return sum(self.size > bound for bound in SIZE_CLASSES)

    @property
    def tier(self) -> int:
        """0: restores a computation; 1: a guard that skips the failing work; 2: a rewrite of
        lines that never completed (script oracle only)."""
        if self.skip_guard:
            return 1
        return 2 if self.unevidenced else 0


NO_SHAPE = EditShape(False, 0, 0)


def _is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    return isinstance(node, (ast.List, ast.Tuple, ast.Dict, ast.Set)) and not any(
        True for _ in ast.iter_child_nodes(node)
    )


def guard_marks(tree: ast.AST) -> Counter[str]:
    """How many guards of each kind `tree` holds."""
    marks: Counter[str] = Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and not node.orelse:
            if not isinstance(node.body[-1], ast.Raise):
                marks["if"] += 1
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            marks["try"] += 1
        elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            if _is_literal(node.values[-1]):
                marks["or default"] += 1
        elif isinstance(node, ast.IfExp) and (_is_literal(node.body) or _is_literal(node.orelse)):
            marks["conditional default"] += 1
    return marks


def dead_stores(tree: ast.AST) -> Counter[str]:
    """Local names each function assigns but never reads (per function, by name)."""
    found: Counter[str] = Counter()
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        stored: set[str] = set()
        loaded: set[str] = set()
        shared: set[str] = set()
        for node in ast.walk(function):
            if isinstance(node, ast.Name):
                (loaded if isinstance(node.ctx, ast.Load) else stored).add(node.id)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                shared.update(node.names)
        for name in stored - loaded - shared - {"_"}:
            found[f"{function.name}.{name}"] += 1
    return found


def _size(original: str, candidate: str) -> tuple[int, tuple[int, int] | None]:
    span = changed_lines(original, candidate)
    if span is None:
        return 0, None
    old_lines = original.splitlines(keepends=True)
    new_lines = candidate.splitlines(keepends=True)
    start, end = span
    delta = len(new_lines) - len(old_lines)
    old = _TOKEN.findall("".join(old_lines[start - 1 : end]))
    new = _TOKEN.findall("".join(new_lines[start - 1 : max(start - 1, end + delta)]))
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    size = sum(
        (i2 - i1) + (j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    )
    return size, span


class ShapeJudge:
    """Shapes of candidates for one original text and one localisation."""

    def __init__(
        self,
        original: str,
        suspicious: Mapping[int, int],
        completed: frozenset[int] | None = None,
    ) -> None:
        self.original = original
        self.suspicious = suspicious  # line -> its rank in fault localisation
        # Script oracle: the lines that completed at least once before the original failed.
        self.completed = completed
        self.region = EditRegion(original)

    def shape(self, candidate: str) -> EditShape:
        size, span = _size(self.original, candidate)
        parts = self.region.trees(candidate)  # None for the fix of a syntax error: no guard
        skip_guard = parts is not None and bool(guard_marks(parts[1]) - guard_marks(parts[0]))
        # A value the original computed and used, left unused: the error stops because the
        # computation no longer matters, not because it was restored.
        skip_guard = skip_guard or (
            parts is not None and bool(dead_stores(parts[1]) - dead_stores(parts[0]))
        )
        distance = len(self.suspicious)
        unevidenced = False
        if span is not None:
            start, end = span
            ranks = [self.suspicious[n] for n in range(start, end + 1) if n in self.suspicious]
            distance = min(ranks, default=len(self.suspicious))
            rewritten = _rewritten_lines(self.original, candidate)
            if self.completed is not None and rewritten:
                unevidenced = not (rewritten & self.completed)
        return EditShape(skip_guard, size, distance, unevidenced)


def _rewritten_lines(original: str, candidate: str) -> frozenset[int]:
    """Lines of `original` the candidate replaces or deletes (not those it only inserts at)."""
    kept = kept_lines(original, candidate)
    return frozenset(range(1, len(original.splitlines()) + 1)) - kept.keys()
