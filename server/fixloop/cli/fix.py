"""`fixloop fix FILE`: find a fix the sandbox proved, print it as a diff, optionally apply it.

A thin adapter over `fixloop.loop.run_fix`. FILE and `--test` paths are relative to the current
directory (as a shell user types them) and must lie inside `--root` (default: the current
directory), where everything runs. stdout gets only the unified diff (or the `--json` object);
stderr gets the summary. On a terminal, control characters in the diff and the summary are shown
escaped; a pipe and `--json` get the exact text. `--write` rewrites FILE in place with the
verified text (`fixloop.safewrite`), keeping its owner, mode, links, encoding and line endings,
and never losing a save that races it. `--checker TOOL[:CODE[:LINE]]` also requires the fix to
clear that checker's diagnostic, the checker run in the sandbox from the code's interpreter; when
it is not installed there (or the original does not show the diagnostic) stderr says so and the
fix is proved by the tests or the run only. Exit codes: 0 verified fix, 1 none within the budget,
2 usage, sandbox or configuration error (or a write that met a concurrent change), 3 nothing to
fix.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fixloop.cli.checks import check_parses, check_source_file, checker_target, seconds
from fixloop.cli.terminal import escape_for_terminal, for_a_person
from fixloop.settings import ENGINES, SANDBOXES, Settings, structure_settings

if TYPE_CHECKING:
    from fixloop.safewrite import WriteReport


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "fix",
        help="find a fix proved in the sandbox and print it as a diff",
        description="Reproduce a failure in the sandbox, search for a fix, prove it, print the diff.",
    )
    parser.add_argument("file", help="the Python file to fix (relative to the current directory)")
    parser.add_argument(
        "--lines", metavar="A-B", help="only edit lines A to B (1-based, inclusive)"
    )
    parser.add_argument(
        "--test",
        action="append",
        default=[],
        metavar="TEST",
        help="pytest file or node id that must pass (repeatable)",
    )
    parser.add_argument("--cmd", metavar="COMMAND", help="a command that must exit 0")
    parser.add_argument(
        "--checker",
        type=checker_target,
        metavar="TOOL[:CODE[:LINE]]",
        help="the fix must also clear this diagnostic of ruff, mypy, pyright or py_compile "
        "(without CODE and LINE: the checker's first error in FILE or --lines)",
    )
    parser.add_argument("--root", metavar="DIR", default=".", help="project root (default: cwd)")
    parser.add_argument("--engine", choices=ENGINES, default=None)
    parser.add_argument("--sandbox", choices=SANDBOXES, default=None)
    parser.add_argument("--python", metavar="PATH", default=None, help="interpreter for the code")
    parser.add_argument("--image", default=None, help="Docker image for --sandbox docker")
    parser.add_argument(
        "--budget",
        type=seconds,
        default=None,
        metavar="SECONDS",
        help="time for the whole search (default 60)",
    )
    parser.add_argument("--timeout", type=seconds, default=None, metavar="S", help="per-run limit")
    parser.add_argument("--write", action="store_true", help="apply the verified fix to FILE")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="print every progress line of the search on stderr",
    )
    parser.add_argument("--model", default=None, help="model name for the llm engine")
    parser.add_argument("--base-url", default=None, help="OpenAI-compatible server for the model")
    parser.add_argument(
        "--allow-shell",
        action="store_true",
        help="allow shell syntax in --cmd (and shell tools for the model)",
    )
    parser.set_defaults(handler=handle)


def _fail(message: str, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"verified": False, "diff": "", "reason": message, "error": True}))
    _say(message)
    return 2


def _say(message: str) -> None:
    print(f"fixloop fix: {for_a_person(message)}", file=sys.stderr, flush=True)


def _settings(args: argparse.Namespace) -> tuple[Settings, list[str]]:
    raw: dict[str, Any] = {}
    for name in ("engine", "sandbox", "python", "budget", "timeout", "model", "base_url"):
        value = getattr(args, name)
        if value is not None:
            raw[name] = value
    if args.image is not None:
        raw["docker_image"] = args.image
    if args.allow_shell:
        raw["allow_shell"] = True
    settings, problems = structure_settings(raw)
    return settings, problems


def handle(args: argparse.Namespace) -> int:
    from fixloop.evidence import summary_line
    from fixloop.fixes import FixRequest, FixUsageError
    from fixloop.loop import run_fix
    from fixloop.sandbox.base import SandboxUnavailable
    from fixloop.spans import LineRange

    if args.cmd is not None and not args.cmd.strip():
        return _fail("--cmd must not be empty; give the command that must exit 0", args.json)
    settings, problems = _settings(args)
    if problems:
        return _fail("; ".join(problems), args.json)
    line_range = None
    if args.lines is not None:
        try:
            line_range = LineRange.parse(args.lines)
        except ValueError as exc:
            return _fail(str(exc), args.json)
    root = Path(args.root).resolve()
    file = _cwd_or_root(args.file, root)
    problem = check_source_file(file, args.file)
    if problem:
        return _fail(problem, args.json)
    tests = tuple(_relative_test(test, root) for test in args.test)
    request = FixRequest(
        path=file,
        root=root,
        settings=settings,
        line_range=line_range,
        tests=tests,
        command=args.cmd,
        allow_shell=args.allow_shell,
        checker=args.checker,
    )
    try:
        result = asyncio.run(run_fix(request, progress=_progress_printer(args.verbose)))
    except FixUsageError as exc:
        return _fail(str(exc), args.json)
    except SandboxUnavailable as exc:
        return _fail(f"sandbox unavailable: {exc}", args.json)
    except (RecursionError, MemoryError):
        return _fail(_unparsable(file, args.file), args.json)
    write_report = None
    if args.write and result.verified and result.fixed is not None:
        try:
            write_report = _write(file, result.original, result.fixed)
        except (OSError, SyntaxError) as exc:
            return _fail(f"cannot write {args.file}: {exc}", args.json)
    if args.json:
        data = result.to_json()
        if write_report is not None:
            data["written"] = write_report.ok
            data["write"] = write_report.message(args.file)
        print(json.dumps(data))
    elif result.verified:
        diff = escape_for_terminal(result.diff) if sys.stdout.isatty() else result.diff
        sys.stdout.write(diff)
        sys.stdout.flush()
    _say(summary_line(result))
    checker = result.checker
    if checker is not None and checker.status != "cleared":
        unused = checker.status != "not cleared"  # the checker took no part in the proof
        tail = "; a fix is proved by the tests or the run only" if unused else ""
        _say(f"{checker.short()}: {checker.note}{tail}")
    if result.transcript and not args.json:
        _say(f"transcript {result.transcript}")
    if result.nothing_to_fix:
        return 3
    if not result.verified:
        return 1
    if write_report is not None:
        _say(write_report.message(args.file))
        return 0 if write_report.ok else 2
    return 0


def _unparsable(file: Path, shown: str) -> str:
    """The one line for a run that ran out of memory or recursion depth: usually the file is
    beyond Python's parser; say so when that is the cause."""
    from fixloop.patch import read_source

    try:
        source, _ = read_source(file)
        reason = check_parses(source, shown)
    except (OSError, SyntaxError, UnicodeDecodeError, RecursionError, MemoryError):
        reason = None
    return reason or f"ran out of memory or recursion depth while working on {shown}"


def _write(file: Path, original: str, fixed: str) -> WriteReport:
    """Apply the verified text to FILE (see `fixloop.safewrite.write_fix`)."""
    from fixloop.patch import read_source
    from fixloop.safewrite import write_fix

    _, encoding = read_source(file)
    return write_fix(file, original, fixed, encoding)


def _progress_printer(verbose: bool) -> Callable[[str], None]:
    """Warnings (an unprotected sandbox) and the model's turns are always shown, since a model
    turn takes seconds; the offline search's frequent lines only with --verbose."""

    def show(message: str) -> None:
        if verbose or message.startswith(("warning:", "model ")):
            _say(message)

    return show


def _relative_test(test: str, root: Path) -> str:
    """A test path typed relative to the cwd, as an absolute path the loop can place in root."""
    file_part, sep, rest = test.partition("::")
    return str(_cwd_or_root(file_part, root)) + sep + rest


def _cwd_or_root(path: str, root: Path) -> Path:
    """Paths are relative to the cwd; one that only exists relative to --root is taken from there."""
    from_cwd = Path(path).resolve()
    if not from_cwd.exists() and (root / path).exists():
        return (root / path).resolve()
    return from_cwd
