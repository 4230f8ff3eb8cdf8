"""`fixloop run FILE`: run a Python file in a sandbox and report what happened.

Parses and checks the arguments (a readable Python source file, a known sandbox, sane limits),
calls `fixloop.execution.run_file`, and prints either the program's output followed by a
one-line summary, or one JSON object. The program's output is shown with control characters
escaped, so terminal escape sequences from a hostile program are displayed, never interpreted.
Exit codes: 0 the program succeeded, 1 it failed, 2 usage or sandbox error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from fixloop.cli.checks import check_source_file, mebibytes, seconds
from fixloop.cli.terminal import escape_control
from fixloop.sandbox import KINDS, RunResult, Status

__all__ = ["check_source_file", "escape_control", "register", "summary_line"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="run a Python file in a sandbox",
        description="Run a Python file in a sandbox (working directory: the project root).",
    )
    parser.add_argument("file", metavar="FILE", help="the Python file to run")
    parser.add_argument(
        "args", metavar="ARGS", nargs="*", help="arguments for the program (after --)"
    )
    parser.add_argument("--sandbox", choices=KINDS, default=None, help="backend (default: auto)")
    parser.add_argument("--python", metavar="PATH", help="interpreter for the program")
    parser.add_argument("--image", metavar="NAME", help="Docker image (docker sandbox)")
    parser.add_argument("--timeout", metavar="S", type=seconds, help="wall-clock limit in seconds")
    parser.add_argument("--memory", metavar="MB", type=mebibytes, help="memory limit in MiB")
    parser.add_argument("--network", action="store_true", help="allow network access")
    parser.add_argument("--root", metavar="DIR", help="project root (default: current directory)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=handle)
    # Everything after `--` belongs to the program, wherever the options stand.
    parser.__class__ = type("RunParser", (_SplitAtDoubleDash, type(parser)), {})


class _SplitAtDoubleDash(argparse.ArgumentParser):
    def parse_known_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def,override]
        words = list(sys.argv[1:] if args is None else args)
        program_args: list[str] = []
        if "--" in words:
            cut = words.index("--")
            words, program_args = words[:cut], words[cut + 1 :]
        parsed, extras = super().parse_known_args(words, namespace)
        parsed.args = [*getattr(parsed, "args", []), *program_args]
        return parsed, extras


def _fail(message: str) -> int:
    print(f"fixloop run: {message}", file=sys.stderr)
    return 2


def handle(args: argparse.Namespace) -> int:
    from fixloop.execution import relative_to_root, run_file
    from fixloop.settings import structure_settings

    file = Path(args.file)
    problem = check_source_file(file)
    if problem:
        return _fail(problem)
    if args.root is not None:
        root = Path(args.root)
        if not root.is_dir():
            return _fail(f"--root {root}: not a directory")
        try:
            relative_to_root(file.resolve(), root)
        except ValueError as exc:
            return _fail(f"{exc}; pass a --root that contains it")
    else:
        # Default: the current directory, unless the file lives elsewhere; then its folder.
        root = Path.cwd()
        try:
            relative_to_root(file.resolve(), root)
        except ValueError:
            root = file.resolve().parent

    raw: dict[str, Any] = {}
    for name in ("sandbox", "python", "timeout", "memory"):
        if getattr(args, name) is not None:
            raw[name] = getattr(args, name)
    if args.image is not None:
        raw["docker_image"] = args.image
    if args.network:
        raw["network"] = True
    settings, problems = structure_settings(raw)
    if problems:
        cleaned = [p.split("; using the default")[0].replace("fixloop.", "--") for p in problems]
        return _fail("; ".join(cleaned))
    if settings.python:
        settings = replace(settings, python=str(Path(settings.python).absolute()))

    result = asyncio.run(run_file(file.resolve(), root=root, settings=settings, args=args.args))
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
    else:
        _print_human(result)
    if result.status is Status.SANDBOX_ERROR:
        return 2
    return 0 if result.ok else 1


def summary_line(result: RunResult) -> str:
    parts = [result.status.value]
    if result.status is Status.SANDBOX_ERROR:
        return f"fixloop: sandbox error ({result.sandbox}): {result.note}"
    if result.exit_code is not None and result.status is not Status.OK:
        parts.append(f"exit {result.exit_code}")
    if result.error is not None:
        where = f" at {result.error.file}:{result.error.line}" if result.error.file else ""
        parts.append(f"{result.error.type}{where}")
    parts.append(f"sandbox {result.sandbox}" + ("" if result.protected else " (UNPROTECTED)"))
    parts.append(f"{result.duration_ms} ms")
    if result.limit_hit:
        parts.append(f"limit hit: {result.limit_hit}")
    if result.truncated:
        parts.append("output truncated")
    return "fixloop: " + " | ".join(parts)


def _print_human(result: RunResult) -> None:
    if result.stdout:
        sys.stdout.write(escape_control(result.stdout))
        if not result.stdout.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
    if result.stderr:
        sys.stderr.write(escape_control(result.stderr))
        if not result.stderr.endswith("\n"):
            sys.stderr.write("\n")
    if not result.protected and result.status is not Status.SANDBOX_ERROR:
        sys.stderr.write(f"WARNING: {escape_control(result.note)}\n")
    sys.stderr.write(escape_control(summary_line(result)) + "\n")
