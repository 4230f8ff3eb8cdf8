"""Guards: refuse candidates that would pass the oracle by cheating instead of fixing.

`GuardSet.screen` looks at a candidate's syntax tree before anything runs, and answers a
`Screening`. A candidate is refused when it changes lines outside the target range (a new
top-level import is allowed when the range was inferred), deletes the failing statement or
empties a function body, makes code unreachable, or reaches anything of `guard_reach` that the
original did not (ending the process in any spelling, the import machinery, `builtins`, frames,
the test harness, the test modules, handlers or `suppress` that swallow `AssertionError` or the
failing exception, always-true `__eq__` and swallowing `__exit__`); when it adds an assert that
always holds (`guard_checks.tautologies`); and, when the checks are the spec (no tests: a script
or a command oracle), when it drops or weakens any assert or raise-guard of the program
(`guard_checks.changed_checks`). With tests, such a change is allowed but reported in
`Screening.changes_check`, so the loop can rank it after every candidate that leaves the checks
alone.

Out of reach statically, and covered at run time instead: names computed from data the guard
cannot fold (a string decoded, read from a file or built in a loop) and objects reached through
the interpreter's own graph; what they could do to the tests is stopped by the sandbox (the
tests run from a pristine copy the candidate cannot write, hashed before and after each run on
`local`), by the strict test loader (test sources snapshotted before any user code runs, their
`==`/`!=` assertions double-checked, the test modules pytest runs checked to be the ones it
loaded) and by the oracle itself (every test that ran on the original must pass).
"""

from __future__ import annotations

import ast
import difflib
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from fixloop import pyast
from fixloop.guard_checks import Check, changed_checks, collect_checks, tautologies
from fixloop.guard_names import NameResolver
from fixloop.guard_reach import ReachContext, exception_family, reach_marks
from fixloop.spans import LineRange, common_prefix_length, common_suffix_length

LARGE_FILE_LINES = 3000
ScreenOutcome = Literal["run", "guard", "syntax"]
# A test module whose name is this short or generic is matched in strings only as a file name.
GENERIC_TEST_NAMES = frozenset({"test", "tests", "check", "checks"})


@dataclass(frozen=True)
class Screening:
    """The guards' answer: run the candidate, or refuse it ("guard", "syntax") and why.

    `changes_check` describes the assert or raise-guard a candidate that may run changes
    (only ever non-empty when tests are the oracle); "" when it leaves every check alone.
    """

    outcome: ScreenOutcome
    reason: str = ""
    changes_check: str = ""

    @property
    def refused(self) -> bool:
        return self.outcome != "run"


def test_context(
    failing_error: str | None, tree: ast.AST | None, test_files: tuple[str, ...]
) -> ReachContext:
    """The `ReachContext` for a failure and the oracle's test files (paths relative to root)."""
    modules = {"conftest"}
    strings = ["conftest.py"]
    for file in test_files:
        path = PurePosixPath(file.split("::")[0])
        modules.add(path.stem)
        strings.append(path.name if path.stem in GENERIC_TEST_NAMES else path.stem)
    return ReachContext(
        failing_error=failing_error,
        failing_family=exception_family(failing_error, tree),
        test_modules=frozenset(modules),
        test_strings=tuple(dict.fromkeys(strings)),
    )


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
        failing_error: str | None = None,
        test_files: tuple[str, ...] = (),
        checks_are_spec: bool = True,
    ) -> None:
        """`checks_are_spec`: no tests back the oracle, so a changed check is refused."""
        self.original = original
        self.target = target
        self.failing_lines = failing_lines
        self.allow_header_imports = allow_header_imports
        self.checks_are_spec = checks_are_spec
        self.original_lines = original.splitlines(keepends=True)
        self.original_tree: ast.Module | None
        try:
            self.original_tree = pyast.parse(original)
        except (SyntaxError, ValueError):
            self.original_tree = None
        self.context = test_context(failing_error, self.original_tree, test_files)
        self.original_marks: Counter[str] = Counter()
        self.original_checks: list[Check] = []
        self._bindings: dict[str, str] = {}
        if self.original_tree is not None:
            resolver = NameResolver(self.original_tree)
            self._bindings = resolver.bindings
            self.original_marks = reach_marks(self.original_tree, self.context, resolver)
            self.original_checks = collect_checks(self.original_tree)

    def screen(self, candidate: str) -> Screening:
        """Parse and guard a candidate (see the module docstring).

        On large files only the top-level statements the edit touches are re-parsed and
        compared, so a candidate for a 50,000-line file costs milliseconds, not a full parse.
        """
        reason = self._check_range(candidate)
        if reason:
            return Screening("guard", reason)
        block = self._touched_block(candidate)
        try:
            if block is None:
                new_tree = pyast.parse(candidate)
                resolver = NameResolver(new_tree)
                old_marks, old_checks = self.original_marks, self.original_checks
            else:
                old_text, new_text, first_line = block
                new_tree = _parse_at(new_text, first_line)
                old_tree = _parse_at(old_text, first_line)
                resolver = NameResolver(new_tree, self._bindings)
                old_resolver = NameResolver(old_tree, self._bindings)
                old_marks = reach_marks(old_tree, self.context, old_resolver)
                old_checks = collect_checks(old_tree)
        except (SyntaxError, ValueError) as exc:
            return Screening("syntax", f"does not parse: {exc}")
        added = reach_marks(new_tree, self.context, resolver) - old_marks
        if added:
            return Screening("guard", f"refused: adds {', '.join(sorted(added))}")
        new_checks = collect_checks(new_tree)
        always = tautologies(old_checks, new_checks)
        if always:
            return Screening("guard", f"refused: {always[0].describe()} always holds")
        changed = changed_checks(old_checks, new_checks)
        if not changed:
            return Screening("run")
        check = changed[0]
        which = "the failing check" if check.line in self.failing_lines else "a check"
        if self.checks_are_spec:
            return Screening(
                "guard",
                f"refused: weakens or bypasses {which}, {check.describe()}; with no tests the "
                "program's own asserts and raise-guards are the spec",
            )
        return Screening("run", changes_check=check.describe())

    def _touched_block(self, candidate: str) -> tuple[str, str, int] | None:
        """(old, new, first line) of the top-level statements around the change, for big files."""
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
        return old_text, new_text, start

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


def _parse_at(text: str, first_line: int) -> ast.Module:
    """`text` parsed with line numbers as in the whole file, where it starts at `first_line`."""
    tree = pyast.parse(text)
    ast.increment_lineno(tree, first_line - 1)
    return tree
