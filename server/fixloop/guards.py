"""Guards: reject candidates that would pass the oracle by cheating instead of fixing.

A candidate is refused when it changes lines outside the target range (a new top-level import is
allowed when the range was inferred), swallows exceptions (a new `except` whose body is only
`pass`/`...`, or a new bare / `Exception` / `BaseException` handler), adds a call that ends the
process (`sys.exit`, `os._exit`, `exit`, `quit`, `os.abort`, `os.kill`), deletes the failing
statement or empties a function body, makes the failing statement unreachable, or starts
poking at the test harness (`pytest`, `sys._getframe`, `inspect`, `unittest.mock`). The tests
are never edited: the loop only ever writes candidates for the target file.
"""

from __future__ import annotations

import ast
import difflib
from collections import Counter
from typing import Literal

from fixloop.spans import LineRange, common_prefix_length, common_suffix_length

LARGE_FILE_LINES = 3000
EXIT_CALLS = {"sys.exit", "os._exit", "exit", "quit", "os.abort", "os.kill", "os.killpg"}
HARNESS_NAMES = {"pytest", "_getframe", "inspect", "mock", "unittest", "settrace", "__builtins__"}


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return ""


def _fingerprint(tree: ast.AST) -> Counter[str]:
    marks: Counter[str] = Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler):
            broad = node.type is None or (
                isinstance(node.type, ast.Name) and node.type.id in ("Exception", "BaseException")
            )
            empty = all(
                isinstance(s, (ast.Pass, ast.Continue))
                or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
                for s in node.body
            )
            if broad:
                marks["broad except"] += 1
            if empty:
                marks["except: pass"] += 1
        elif isinstance(node, ast.Call) and _call_name(node) in EXIT_CALLS:
            marks[f"call {_call_name(node)}"] += 1
        elif isinstance(node, ast.Name) and node.id in HARNESS_NAMES:
            marks[f"use of {node.id}"] += 1
        elif isinstance(node, ast.Attribute) and node.attr in HARNESS_NAMES:
            marks[f"use of {node.attr}"] += 1
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                root = (getattr(node, "module", None) or alias.name).split(".")[0]
                if root in HARNESS_NAMES or alias.name in HARNESS_NAMES:
                    marks[f"import {root}"] += 1
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for statement in body[:-1]:
                if isinstance(statement, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
                    marks["unreachable code"] += 1
                    break
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_empty_body(node.body):
            marks["empty function body"] += 1
    return marks


def _is_empty_body(body: list[ast.stmt]) -> bool:
    for statement in body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue
        if isinstance(statement, ast.Return) and (
            statement.value is None or isinstance(statement.value, ast.Constant)
        ):
            continue
        return False
    return True


def _changed_blocks(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """Difflib-style opcodes of the changes. Candidates are usually one edit, so the common
    prefix and suffix are stripped first (cheap even on a 50,000-line file); only the middle is
    diffed line by line."""
    prefix = common_prefix_length(old, new)
    suffix = common_suffix_length(old, new, min(len(old), len(new)) - prefix)
    old_mid, new_mid = old[prefix : len(old) - suffix], new[prefix : len(new) - suffix]
    if not old_mid and not new_mid:
        return []
    if len(old_mid) + len(new_mid) > 400:
        tag = "replace" if old_mid and new_mid else ("delete" if old_mid else "insert")
        return [(tag, prefix, prefix + len(old_mid), prefix, prefix + len(new_mid))]
    matcher = difflib.SequenceMatcher(None, old_mid, new_mid, autojunk=False)
    return [
        (tag, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


class GuardSet:
    """Checks candidates against one original text and one target range."""

    def __init__(
        self,
        original: str,
        target: LineRange,
        *,
        failing_lines: set[int],
        allow_header_imports: bool,
    ) -> None:
        self.original = original
        self.target = target
        self.failing_lines = failing_lines
        self.allow_header_imports = allow_header_imports
        self.original_lines = original.splitlines(keepends=True)
        self.original_tree: ast.Module | None
        try:
            self.original_tree = ast.parse(original)
            self.original_marks = _fingerprint(self.original_tree)
        except SyntaxError:
            self.original_tree = None
            self.original_marks = Counter()

    def screen(self, candidate: str) -> tuple[Literal["guard", "syntax"], str] | None:
        """Parse and guard a candidate: None if it may run, else (outcome, reason).

        On large files only the top-level statements the edit touches are re-parsed and
        compared, so a candidate for a 50,000-line file costs milliseconds, not a full parse.
        """
        reason = self._check_range(candidate)
        if reason:
            return "guard", reason
        block = self._touched_block(candidate)
        if block is None:
            try:
                tree = ast.parse(candidate)
            except (SyntaxError, ValueError) as exc:
                return "syntax", f"does not parse: {exc}"
            added = _fingerprint(tree) - self.original_marks
        else:
            old_text, new_text = block
            try:
                new_tree = ast.parse(new_text)
            except (SyntaxError, ValueError) as exc:
                return "syntax", f"does not parse: {exc}"
            added = _fingerprint(new_tree) - _fingerprint(ast.parse(old_text))
        if added:
            return "guard", f"refused: adds {', '.join(sorted(added))}"
        return None

    def _touched_block(self, candidate: str) -> tuple[str, str] | None:
        """(old, new) text of the top-level statements around the change, for big files."""
        if self.original_tree is None or len(self.original_lines) < LARGE_FILE_LINES:
            return None
        new_lines = candidate.splitlines(keepends=True)
        blocks = _changed_blocks(self.original_lines, new_lines)
        if not blocks:
            return None
        first = min(b[1] for b in blocks) + 1
        last = max(max(b[2], b[1] + 1) for b in blocks)
        covering = [
            n
            for n in self.original_tree.body
            if (n.end_lineno or n.lineno) >= first - 1 and n.lineno <= last + 1
        ]
        if not covering:
            return None
        start = min(n.lineno for n in covering)
        end = max(n.end_lineno or n.lineno for n in covering)
        delta = len(new_lines) - len(self.original_lines)
        old_text = "".join(self.original_lines[start - 1 : end])
        new_text = "".join(new_lines[start - 1 : end + delta])
        return old_text, new_text

    def _check_range(self, candidate: str) -> str | None:
        new_lines = candidate.splitlines(keepends=True)
        for tag, i1, i2, j1, j2 in _changed_blocks(self.original_lines, new_lines):
            inserted = new_lines[j1:j2]
            if (
                tag == "insert"
                and self.allow_header_imports
                and all(line.startswith(("import ", "from ")) for line in inserted)
            ):
                if all(
                    not ln.strip() or ln.startswith(("import ", "from ", "#", '"""', "'''"))
                    for ln in self.original_lines[:i1]
                ):
                    continue
            first, last = (i1 + 1, i2) if i2 > i1 else (i1, i1 + 1)
            if tag == "insert":
                # Inserting between lines k and k+1 is inside the range when either neighbour is.
                if not (self.target.start - 1 <= i1 <= self.target.end):
                    return f"refused: edits line {i1 + 1}, outside the target lines {self.target.start}-{self.target.end}"
                continue
            if first < self.target.start or last > self.target.end:
                return f"refused: edits lines {first}-{last}, outside the target lines {self.target.start}-{self.target.end}"
            if tag == "delete":
                deleted = set(range(i1 + 1, i2 + 1))
                if deleted & self.failing_lines:
                    return "refused: deletes the failing statement"
            elif tag == "replace" and all(
                not ln.strip() or ln.strip() in ("pass", "...") for ln in inserted
            ):
                if set(range(i1 + 1, i2 + 1)) & self.failing_lines:
                    return "refused: replaces the failing statement with nothing"
        return None
