"""Diagnostics from command-line checkers (ruff, mypy, pyright, py_compile) that a fix should clear.

A quick fix on another tool's error carries a `checker` value: which tool reported it (known
from the diagnostic's `source`), its code, line and message. `parse_checker` reads it back from
a request as the core's `CheckerTarget`, and `probe_checker` asks, in the sandbox, whether the
interpreter for the user's code has the tool. When it has, the loop runs that checker in the
sandbox on the original and on each candidate's proof (`fixloop.checker_oracle`), and
`checker_report` says "cleared" only when the result's evidence shows the verified fix cleared
the diagnostic; otherwise it says why the fix is proved by the tests or the run only.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fixloop.checker_oracle import CHECKER_TOOLS as TOOLS
from fixloop.checker_oracle import CheckerEvidence, CheckerTarget
from fixloop.checker_oracle import CheckerTool as Tool
from fixloop.lsp.errors import CommandError
from fixloop.settings import Settings

# Diagnostic sources (lower case) as the tools' own editor integrations and problem matchers name
# them, mapped to the command-line checker that reports the same diagnostics.
_SOURCES: dict[str, Tool] = {
    "ruff": "ruff",
    "mypy": "mypy",
    "pyright": "pyright",
    "pylance": "pyright",
    "basedpyright": "pyright",
    "py_compile": "py_compile",
    "python -m py_compile": "py_compile",
}
# How each tool runs from the user's interpreter, for messages.
COMMANDS: dict[Tool, str] = {
    "ruff": "python -m ruff check",
    "mypy": "python -m mypy",
    "pyright": "python -m pyright",
    "py_compile": "python -m py_compile",
}
_PROBE_TIMEOUT_SECONDS = 15.0


def checker_json(checker: CheckerTarget) -> dict[str, Any]:
    """A checker target as a code action's argument carries it."""
    return {
        "tool": checker.tool,
        "code": checker.code,
        "line": checker.line,
        "message": checker.message,
    }


def tool_for_source(source: str | None) -> Tool | None:
    return _SOURCES.get((source or "").strip().lower())


def parse_checker(raw: Any) -> CheckerTarget | None:
    """The `checker` field of a fix request (absent or null: None); bad values are refused."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise CommandError("checker must be an object {tool, code, line, message}")
    tool, code, line, message = (raw.get(k) for k in ("tool", "code", "line", "message"))
    if tool not in TOOLS:
        raise CommandError(f"checker.tool must be one of {', '.join(TOOLS)}")
    if code is not None and not isinstance(code, (str, int)):
        raise CommandError("checker.code must be a string")
    if isinstance(line, bool) or not isinstance(line, int) or line < 1:
        raise CommandError("checker.line must be a positive line number")
    if not isinstance(message, str):
        raise CommandError("checker.message must be a string")
    return CheckerTarget(tool, None if code is None else str(code)[:100], line, message[:2000])


# Run by the interpreter for user code, in the sandbox: is the tool importable? (The working
# directory is the project: leave it off the path, so a file of the project cannot pose as it.)
_PROBE = (
    "import importlib.util, sys; "
    "sys.path[:] = [p for p in sys.path if p not in ('', '.')]; "
    "sys.exit(importlib.util.find_spec(sys.argv[1]) is None)"
)
_installed: dict[tuple[str, str, str, Tool], bool] = {}


async def probe_checker(tool: Tool, settings: Settings, root: Path) -> bool:
    """Is `tool` installed in the interpreter that runs the user's code (asked in the sandbox)?"""
    if tool == "py_compile":
        return True  # the standard library's
    key = (settings.sandbox, settings.python, settings.docker_image, tool)
    if key in _installed:
        return _installed[key]
    from fixloop.execution import run_shared
    from fixloop.sandbox import Limits, RunSpec, Status

    limits = Limits(wall_seconds=_PROBE_TIMEOUT_SECONDS, memory_mb=settings.memory)
    spec = RunSpec(argv=("-c", _PROBE, tool), root=root, limits=limits)
    result = (await run_shared(spec, settings)).value
    if result.status not in (Status.OK, Status.ERROR):
        # Stopped by a limit (a slow machine), or no sandbox (the fix itself reports that):
        # the answer is only "not known", so it is not remembered.
        return False
    found = _installed[key] = result.status is Status.OK
    return found


def checker_report(
    checker: CheckerTarget, installed: bool, evidence: CheckerEvidence | None, oracle: str
) -> dict[str, Any]:
    """What a fix result says about the checker: cleared (only from the loop's evidence that the
    verified fix cleared it in the sandbox), or why the fix is proved by `oracle` only."""
    what = f"{checker.tool} {checker.code}" if checker.code else checker.tool
    if evidence is not None:
        status, note = evidence.status, evidence.note
    elif installed:
        status, note = "could not run", f"{COMMANDS[checker.tool]} did not run in the sandbox"
    else:
        status, note = "not installed", f"{checker.tool} is not installed in your interpreter"
    if status != "cleared":
        note += f"; the fix is proved by {oracle} only, not shown to clear {what}"
    return {
        **checker_json(checker),
        "installed": installed,
        "checked": status == "cleared",
        "status": status,
        "note": note,
    }
