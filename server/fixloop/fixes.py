"""The request and result of one repair loop: `FixRequest` in, `FixResult` out.

These are the values the CLI (`fixloop fix`), the language server (`fixloop.fix`) and the
benchmarks exchange with `fixloop.loop.run_fix`. They are plain frozen dataclasses so that every
adapter can translate them without knowing how the loop works. `prepare` checks a request and
reads its target into a `PreparedRequest` (with the oracle it asks for), or raises
`FixUsageError`, which the CLI maps to exit 2 and the server to an error message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from fixloop.checker_oracle import CheckerEvidence, CheckerTarget
from fixloop.observation import Observation
from fixloop.oracle import Oracle, OracleError, parse_command
from fixloop.patch import read_source
from fixloop.paths import relative_to_root
from fixloop.settings import Settings
from fixloop.spans import LineRange


class FixUsageError(Exception):
    """Bad input: the CLI maps it to exit 2, the server to an error message."""


@dataclass(frozen=True)
class FixRequest:
    """Fix `path` (relative to `root`, or absolute inside it).

    `source` overrides the file's text on disk (an unsaved editor buffer). `tests` are pytest
    files or node ids; `command` is a shell command that must exit 0; with neither, the file
    itself must run without an uncaught exception. With `checker`, a fix must also clear that
    checker's diagnostic (`fixloop.checker_oracle`).
    """

    path: Path
    root: Path
    settings: Settings = field(default_factory=Settings)
    source: str | None = None
    line_range: LineRange | None = None
    tests: tuple[str, ...] = ()
    command: str | None = None
    allow_shell: bool = False
    # With neither tests nor a command: prefer the project's own tests of this module (or the
    # configured test command) as the oracle, falling back to running the file when they pass.
    # Editors set this, because "runs without an exception" alone accepts fixes that merely
    # silence a crash.
    discover_tests: bool = False
    # A checker's diagnostic the fix must also clear, shown by that checker in the sandbox.
    checker: CheckerTarget | None = None


@dataclass(frozen=True)
class PreparedRequest:
    """A checked request: the target (relative to root, posix), its text and the oracle."""

    path: str
    root: Path
    source: str
    oracle: Oracle
    explicit_range: LineRange | None


@dataclass(frozen=True)
class OracleSide:
    """The oracle's verdict on one version of the program."""

    status: Literal["passed", "failed", "timeout"]
    passed: int
    failed: int
    summary: str = ""  # "ZeroDivisionError" / "2 failing" / "exit 0" / "5/5 tests pass"

    @classmethod
    def of(cls, observation: Observation) -> OracleSide:
        status: Literal["passed", "failed", "timeout"] = (
            "passed" if observation.ok else ("timeout" if observation.timed_out else "failed")
        )
        return cls(status, len(observation.passed), len(observation.failed), observation.summary())


@dataclass(frozen=True)
class Proof:
    command: str
    before: OracleSide
    after: OracleSide

    def short(self) -> str:
        """E.g. "ZeroDivisionError -> exit 0" or "2 failing -> 5/5 tests pass"."""
        return f"{self.before.summary} -> {self.after.summary}"


@dataclass(frozen=True)
class Disagreement:
    """An input on which candidates that pass the same tests give different results."""

    call: str  # e.g. "mean([])"
    results: tuple[tuple[str, str], ...]  # (a candidate's edit, what it gave back)
    original: str = ""  # what the original program gave back

    def text(self) -> str:
        """One line: the call, then what each candidate gave back."""
        shown = "; ".join(f"{edit} gives {value}" for edit, value in self.results)
        return f"{self.call}: {shown}"


@dataclass(frozen=True)
class FixResult:
    verified: bool
    engine: str
    candidates_tried: int
    duration_ms: int
    original: str
    fixed: str | None  # the whole new text of the file when verified
    diff: str  # unified diff a/FILE b/FILE, "" when not verified
    proof: Proof | None
    reason: str | None  # why nothing was found, when nothing was
    transcript: str | None  # path of the JSON-lines transcript
    summary: str = ""  # one line describing the edit, e.g. "guard `len(xs) == 0`"
    nothing_to_fix: bool = False
    # The fix changes one of the program's asserts or raise-guards (only ever with tests, and
    # only when no fix that leaves them alone passed); the summary says which.
    changes_check: bool = False
    tokens: int = 0
    cost_usd: float = 0.0
    # What the fix was proven against, in words a user reads as is: "tests: 1 failing -> 5/5
    # pass", "runs without error (no tests)", "command: exit 1 -> exit 0"; "" without a fix.
    evidence: str = ""
    # Candidates that pass the same tests give different results on inputs the tests do not
    # check (`disagreements`): this fix passes, but is not shown to be the right one.
    uncertain: bool = False
    disagreements: tuple[Disagreement, ...] = ()
    # What the checker the request named showed: cleared by this fix, or why it was not run.
    checker: CheckerEvidence | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("original")
        data.pop("fixed")
        return data


# Progress callback: called with a short message once per candidate batch or model turn.
ProgressCallback = Callable[[str], None]


def prepare(request: FixRequest) -> PreparedRequest:
    """Check the request and read the target; raise FixUsageError with a clear message."""
    root = Path(request.root).resolve()
    if not root.is_dir():
        raise FixUsageError(f"the root {root} is not a directory")
    path = Path(request.path)
    absolute = (path if path.is_absolute() else root / path).resolve()
    try:
        relative = relative_to_root(absolute, root)
    except ValueError as exc:
        raise FixUsageError(f"{absolute} is not inside the root {root} (use --root)") from exc
    if absolute.suffix != ".py":
        raise FixUsageError(f"{relative} is not a Python file (.py)")
    if request.source is not None:
        source = request.source
    elif not absolute.is_file():
        raise FixUsageError(f"{relative}: no such file under {root}")
    else:
        try:
            source, _ = read_source(absolute)
        except (OSError, UnicodeDecodeError, SyntaxError) as exc:
            raise FixUsageError(f"cannot read {relative}: {exc}") from exc
    total_lines = len(source.splitlines()) or 1
    if request.line_range is not None and request.line_range.end > total_lines:
        raise FixUsageError(
            f"the range {request.line_range.start}-{request.line_range.end} is outside "
            f"{relative}, which has {total_lines} lines"
        )
    return PreparedRequest(
        relative, root, source, _oracle(request, root, relative), request.line_range
    )


def _oracle(request: FixRequest, root: Path, relative: str) -> Oracle:
    if request.tests and request.command:
        raise FixUsageError("give tests or a command, not both")
    if request.command:
        try:
            argv, shell = parse_command(
                request.command, request.allow_shell or request.settings.allow_shell
            )
        except OracleError as exc:
            raise FixUsageError(str(exc)) from exc
        return Oracle("command", relative, command=argv, shell=shell)
    if not request.tests:
        return Oracle("script", relative)
    tests = []
    for test in request.tests:
        file_part, sep, rest = test.partition("::")
        test_path = Path(file_part)
        test_abs = (test_path if test_path.is_absolute() else root / test_path).resolve()
        if not test_abs.is_file():
            raise FixUsageError(f"test file {file_part} does not exist under {root}")
        try:
            rel_test = relative_to_root(test_abs, root)
        except ValueError as exc:
            raise FixUsageError(f"test {test} is outside the root {root}") from exc
        if rel_test == relative:
            raise FixUsageError(f"{relative} is one of the tests; fixloop never edits tests")
        tests.append(rel_test + sep + rest)
    return Oracle("tests", relative, tests=tuple(tests))


def evidence_of(kind: str, proof: Proof) -> str:
    """What a fix was proven against, in the words the CLI and the editor show as they are."""
    before, after = proof.before, proof.after
    if before.status == "passed" and kind == "tests":
        return f"tests: {after.passed}/{after.passed + after.failed} pass (before and after)"
    if before.status == "passed" and kind == "command":
        return f"command: {after.summary} (before and after)"
    if before.status == "passed":
        return "runs without error (before and after; no tests)"
    if kind == "tests":
        failing = f"{before.failed} failing" + (" (timeout)" if before.status == "timeout" else "")
        return f"tests: {failing} -> {after.passed}/{after.passed + after.failed} pass"
    if kind == "command":
        return f"command: {before.summary} -> {after.summary}"
    return "runs without error (no tests)"
