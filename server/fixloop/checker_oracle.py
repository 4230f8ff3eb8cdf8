"""The checker oracle: a command-line checker's diagnostic that a fix must clear.

A fix may be asked to clear one diagnostic of `ruff`, `mypy`, `pyright` or a compile check
(`py_compile`), named by a `CheckerTarget`. The checker runs in the sandbox, from the interpreter
that runs the user's code, on the original (`checker_baseline`, which finds the diagnostic) and
on each candidate that passed its fresh proof (`CheckerOracle.refusal`): the candidate counts
only when that diagnostic is gone from around the edited lines and the checker reports no
error there was not on the original. Each tool is read through its structured output where it
has one (ruff's and pyright's JSON, a small `compile()` program for syntax errors); mypy's text
lines are parsed because its JSON output is missing from the mypy versions users still have.
`CheckerEvidence` is what a result says about the checker, in words a user reads as they are.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, get_args

from fixloop.checker_evasion import evasion
from fixloop.patch import changed_lines, kept_lines
from fixloop.sandbox.base import Limits, RunResult, RunSpec, Sandbox, Status
from fixloop.spans import LineRange

CheckerTool = Literal["ruff", "mypy", "pyright", "py_compile"]
CHECKER_TOOLS: tuple[CheckerTool, ...] = get_args(CheckerTool)
Severity = Literal["error", "warning", "note"]
# How far (in lines) a diagnostic may move and still be the one the user pointed at.
NEAR_LINES = 3
# A checker cold-starts without a cache (mypy parses its stubs each time): give it room.
CHECKER_SECONDS = 90.0
_TAIL = 300

# Leaves the project off the import path before anything else is imported: `python -m mypy`
# (or a module the compile check imports) would otherwise run a project file of that name,
# which may be the candidate itself, and it could print a clean report.
_OFF_THE_PROJECT = (
    "import sys\n"
    "sys.path[:] = [p for p in sys.path if p not in ('', '.')]\n"
    "import os\n"
    "sys.path[:] = [p for p in sys.path if os.path.abspath(p) != os.getcwd()]\n"
)
# Runs the tool's module as `python -m TOOL ARGS...` would, from the path above.
_RUN_TOOL = _OFF_THE_PROJECT + (
    "import runpy\n"
    "sys.argv = sys.argv[1:]\n"
    "runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n"
)
# Compiles the file and prints its syntax error as JSON. `python -m py_compile` would also write
# a .pyc beside the file, and the sandbox's copy of the project may be read-only.
_COMPILE_PROGRAM = _OFF_THE_PROJECT + (
    "import json\n"
    "path = sys.argv[1]\n"
    "found = []\n"
    "try:\n"
    "    compile(open(path, 'rb').read(), path, 'exec', dont_inherit=True)\n"
    "except (SyntaxError, ValueError) as exc:\n"
    "    line = getattr(exc, 'lineno', None) or 1\n"
    "    message = getattr(exc, 'msg', None) or str(exc)\n"
    "    found.append({'code': type(exc).__name__, 'line': line, 'message': message})\n"
    "print(json.dumps(found))\n"
)
# mypy's `file:line: severity: message  [code]` (with or without a column).
_MYPY_LINE = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+)(?::\d+)?: (?P<severity>error|warning|note): "
    r"(?P<message>.*?)(?:\s+\[(?P<code>[\w-]+)\])?$"
)


@dataclass(frozen=True)
class CheckerTarget:
    """The diagnostic a fix is asked to clear, as the editor or the command line names it.
    Without a code or a line, the checker's first error in the file (or the range) is meant."""

    tool: CheckerTool
    code: str | None = None
    line: int | None = None  # 1-based
    message: str = ""

    def describe(self) -> str:
        return f"{self.tool} [{self.code}]" if self.code else self.tool


@dataclass(frozen=True)
class CheckerDiagnostic:
    """One diagnostic the checker reported in the target file."""

    code: str | None
    line: int  # 1-based
    message: str
    severity: Severity = "error"


@dataclass(frozen=True)
class CheckerRun:
    """What one run of the checker gave: its diagnostics, or why it has none."""

    status: Literal["ran", "missing", "failed"]
    diagnostics: tuple[CheckerDiagnostic, ...] = ()
    note: str = ""


EvidenceStatus = Literal["cleared", "not cleared", "not shown", "not installed", "could not run"]


@dataclass(frozen=True)
class CheckerEvidence:
    """What the result says about the checker: whether the fix was shown to clear it."""

    tool: CheckerTool
    code: str | None
    line: int | None
    status: EvidenceStatus
    note: str

    def short(self) -> str:
        """E.g. "mypy: [arg-type] cleared" or "ruff: not installed (proved by the tests only)"."""
        what = f"{self.tool}: [{self.code}]" if self.code else f"{self.tool}:"
        if self.status == "cleared":
            return f"{what} cleared"
        return f"{what} {self.status}"

    def settled(self, verified: bool) -> CheckerEvidence:
        """The evidence once the loop has ended: a verified fix was proven to clear a
        diagnostic the original showed."""
        if not (verified and self.status == "not cleared"):
            return self
        note = f"{self.tool} no longer reports {self.note.removeprefix(f'{self.tool} reports ')}"
        return replace(self, status="cleared", note=note)

    def to_json(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "code": self.code,
            "line": self.line,
            "status": self.status,
            "note": self.note,
        }


def checker_spec(tool: CheckerTool, target: str, root: Path, text: str, limits: Limits) -> RunSpec:
    """The run of `tool` on `target` (relative to `root`) with `text` as its content."""
    argv: tuple[str, ...]
    if tool == "ruff":
        argv = ("-c", _RUN_TOOL, "ruff", "check", "--output-format", "json", "--no-cache")
        argv += ("--exit-zero",)
    elif tool == "mypy":
        argv = (
            "-c",
            _RUN_TOOL,
            "mypy",
            "--show-error-codes",
            "--no-error-summary",
            "--no-color-output",
            "--no-pretty",
            "--hide-error-context",
            "--cache-dir=/dev/null",  # the project may be read-only in the sandbox
        )
    elif tool == "pyright":
        argv = ("-c", _RUN_TOOL, "pyright", "--outputjson")
    else:
        argv = ("-c", _COMPILE_PROGRAM)
    return RunSpec(
        argv=(*argv, target),
        root=root,
        limits=limits,
        overlay={target: text},
        env={"PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1"},
    )


async def run_checker(
    sandbox: Sandbox, tool: CheckerTool, root: Path, target: str, text: str, limits: Limits
) -> CheckerRun:
    result = await sandbox.run(checker_spec(tool, target, root, text, limits))
    return read_checker_run(tool, target, result)


def read_checker_run(tool: CheckerTool, target: str, result: RunResult) -> CheckerRun:
    """The diagnostics in `target` from one run of `tool` (or why there are none)."""
    if result.status not in (Status.OK, Status.ERROR):
        return CheckerRun("failed", note=f"{tool} did not finish: {result.status.value}")
    module = "mypy" if tool == "mypy" else tool
    if result.exit_code != 0 and f"No module named {module}" in result.stderr:
        return CheckerRun("missing", note=f"{tool} is not installed in the interpreter")
    try:
        if tool == "mypy":
            found = _mypy(result, target)
        elif tool == "pyright":
            found = _pyright(result.stdout)
        else:
            found = _json_list(tool, result.stdout)
    except (ValueError, KeyError, TypeError) as exc:
        tail = (result.stderr or result.stdout).strip()[-_TAIL:]
        return CheckerRun("failed", note=f"{tool} gave no readable output ({exc}): {tail}")
    return CheckerRun("ran", found)


def _json_list(tool: CheckerTool, stdout: str) -> tuple[CheckerDiagnostic, ...]:
    lines = stdout.strip().splitlines()
    if tool == "ruff":
        items = json.loads(stdout)
        return tuple(
            CheckerDiagnostic(item.get("code"), int(item["location"]["row"]), item["message"])
            for item in items
        )
    items = json.loads(lines[-1] if lines else "")
    return tuple(CheckerDiagnostic(i["code"], int(i["line"]), str(i["message"])) for i in items)


def _mypy(result: RunResult, target: str) -> tuple[CheckerDiagnostic, ...]:
    if result.exit_code not in (0, 1):
        raise ValueError(f"mypy exit status {result.exit_code}")
    wanted = Path(target).as_posix()
    found = []
    for raw in result.stdout.splitlines():
        match = _MYPY_LINE.match(raw.strip())
        if match is None or Path(match["file"]).as_posix() != wanted:
            continue  # another module the target imports, or a line mypy wraps
        severity: Severity = match["severity"]  # type: ignore[assignment]
        found.append(
            CheckerDiagnostic(match["code"], int(match["line"]), match["message"], severity)
        )
    return tuple(found)


def _pyright(stdout: str) -> tuple[CheckerDiagnostic, ...]:
    report = json.loads(stdout)
    found = []
    for item in report["generalDiagnostics"]:
        severity: Severity = {"error": "error", "warning": "warning"}.get(item["severity"], "note")  # type: ignore[assignment]
        line = int(item["range"]["start"]["line"]) + 1
        found.append(CheckerDiagnostic(item.get("rule"), line, item["message"], severity))
    return tuple(found)


def _same_message(a: str, b: str) -> bool:
    first, second = " ".join(a.split()), " ".join(b.split())
    return bool(first and second) and (first == second or first in second or second in first)


def _same_kind(tool: CheckerTool, code: str | None, diagnostic: CheckerDiagnostic) -> bool:
    # A compile check has one kind of error, however an editor's problem matcher codes it.
    return tool == "py_compile" or code is None or diagnostic.code == code


def find_target(
    target: CheckerTarget, run: CheckerRun, line_range: LineRange | None = None
) -> CheckerDiagnostic | None:
    """The diagnostic of `run` that `target` names: the same code, near the same line or with
    the same message; the nearest one wins."""
    kind = [d for d in run.diagnostics if _same_kind(target.tool, target.code, d)]
    if target.line is None and not target.message:
        errors = [d for d in kind if d.severity == "error" or target.code is not None]
        if line_range is not None:
            errors = [d for d in errors if line_range.start <= d.line <= line_range.end]
        return errors[0] if errors else None
    line = target.line
    matching = [
        d
        for d in kind
        if (line is not None and abs(d.line - line) <= NEAR_LINES)
        or _same_message(d.message, target.message)
    ]
    return min(matching, key=lambda d: abs(d.line - line) if line else 0, default=None)


@dataclass(frozen=True)
class CheckerOracle:
    """What each proven candidate must also show: `required` gone, and no new error."""

    tool: CheckerTool
    required: CheckerDiagnostic
    original: CheckerRun
    source: str
    root: Path
    target: str
    limits: Limits

    async def refusal(self, sandbox: Sandbox, text: str) -> str | None:
        """Why the checker refuses `text` (None when it clears the diagnostic)."""
        hidden = evasion(self.tool, self.source, text)
        if hidden:
            return f"{hidden}, which hides the diagnostic from {self.tool} instead of fixing it"
        run = await run_checker(sandbox, self.tool, self.root, self.target, text, self.limits)
        if run.status != "ran":
            return f"{self.tool} could not check the fix: {run.note}"
        return self.judge(text, run)

    def judge(self, text: str, run: CheckerRun) -> str | None:
        lines = _window(self.source, text, self.required.line)
        what = f"{self.tool} [{self.required.code}]" if self.required.code else self.tool
        for found in run.diagnostics:
            if not _same_kind(self.tool, self.required.code, found):
                continue
            if found.line in lines:
                return f"{what} still reports line {found.line}: {found.message}"
        before = Counter((d.code, d.message) for d in self.original.diagnostics)
        after = Counter((d.code, d.message) for d in run.diagnostics if d.severity == "error")
        for found in run.diagnostics:
            key = (found.code, found.message)
            if found.severity == "error" and after[key] > before[key]:
                code = f" [{found.code}]" if found.code else ""
                return (
                    f"{self.tool} reports a new error{code} at line {found.line}: {found.message}"
                )
        return None


def _window(original: str, text: str, line: int) -> range:
    """Lines of `text` where the diagnostic at `line` of the original would now be: its line
    moved with the edit, or the edited lines when the edit rewrote it, give or take NEAR_LINES."""
    moved = kept_lines(original, text).get(line)
    if moved is not None:
        return range(moved - NEAR_LINES, moved + NEAR_LINES + 1)
    span = changed_lines(text, original) or (line, line)
    return range(span[0] - NEAR_LINES, span[1] + NEAR_LINES + 1)


async def checker_baseline(
    sandbox: Sandbox,
    target: CheckerTarget,
    root: Path,
    path: str,
    source: str,
    line_range: LineRange | None,
    memory_mb: int,
) -> tuple[CheckerOracle | None, CheckerEvidence]:
    """The checker on the original: the oracle that candidates must satisfy when it shows the
    diagnostic, and the evidence so far (which says why there is no oracle otherwise)."""
    limits = Limits(wall_seconds=CHECKER_SECONDS, memory_mb=memory_mb)
    run = await run_checker(sandbox, target.tool, root, path, source, limits)

    def evidence(
        status: EvidenceStatus, note: str, line: int | None = target.line
    ) -> CheckerEvidence:
        return CheckerEvidence(target.tool, target.code, line, status, note)

    if run.status == "missing":
        return None, evidence(
            "not installed",
            f"{target.tool} is not installed in the interpreter that runs your code",
        )
    if run.status == "failed":
        return None, evidence("could not run", run.note)
    found = find_target(target, run, line_range)
    if found is None:
        return None, evidence(
            "not shown",
            f"{target.tool} does not report {_named(target)} on the original",
        )
    oracle = CheckerOracle(target.tool, found, run, source, root, path, limits)
    shown = CheckerEvidence(
        target.tool,
        found.code,
        found.line,
        "not cleared",
        f"{target.tool} reports line {found.line}: {found.message}",
    )
    return oracle, shown


def _named(target: CheckerTarget) -> str:
    parts: Sequence[str] = [
        part
        for part in (
            f"[{target.code}]" if target.code else "",
            f"at line {target.line}" if target.line else "",
            repr(target.message[:80]) if target.message else "",
        )
        if part
    ]
    return " ".join(parts) or "an error"
