"""`fixloop tests FILE --lines A-B`: the model writes pytest tests for a function; the sandbox runs them.

Wiring only: parse, call `fixloop.testgen.generate_tests`, print the diff that creates the test
file (stdout) and a summary with any bugs found (stderr). `--write` creates the file (never
overwrites one). Exit 0 tests generated (bugs found included), 1 none within the budgets,
2 usage, configuration or sandbox error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from fixloop.cli.task import add_model_options, settings_from


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "tests", help="have the model write pytest tests for a function and run them"
    )
    parser.add_argument("file", type=Path, help="the Python file under test")
    parser.add_argument("--lines", help="the lines to test, A-B (default: the whole file)")
    parser.add_argument("--root", type=Path, default=Path("."), help="project root (default: cwd)")
    parser.add_argument("--write", action="store_true", help="create the test file")
    add_model_options(parser)
    parser.set_defaults(handler=handle)


def _fail(message: str) -> int:
    print(f"fixloop tests: {message}", file=sys.stderr)
    return 2


def handle(args: argparse.Namespace) -> int:
    from fixloop.repair.llm.errors import ModelConfigError, ModelError
    from fixloop.sandbox.base import SandboxUnavailable
    from fixloop.spans import LineRange
    from fixloop.testgen import generate_tests

    root = args.root.resolve()
    file = args.file.resolve()
    if not file.is_file() or file.suffix != ".py":
        return _fail(f"{args.file}: not a Python file")
    try:
        file.relative_to(root)
    except ValueError:
        return _fail(f"{args.file} is outside the project root {root}")
    line_range = None
    if args.lines:
        try:
            line_range = LineRange.parse(args.lines)
        except ValueError as exc:
            return _fail(str(exc))
    settings = settings_from(args)
    try:
        result = asyncio.run(
            generate_tests(
                file,
                root,
                None,
                line_range,
                settings,
                progress=lambda message: print(f"fixloop tests: {message}", file=sys.stderr),
            )
        )
    except (ModelConfigError, SandboxUnavailable, ValueError, UnicodeDecodeError) as error:
        return _fail(str(error))
    except ModelError as error:
        print(f"fixloop tests: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(
            json.dumps(
                {
                    "ok": result.ok,
                    "path": result.path.as_posix(),
                    "diff": result.diff,
                    "passed": result.passed,
                    "failed": result.failed,
                    "bugs_found": list(result.bugs_found),
                    "reason": result.reason,
                    "turns": result.turns,
                    "tokens": result.tokens,
                    "cost_usd": result.cost_usd,
                    "transcript": result.transcript,
                }
            )
        )
    elif result.ok:
        sys.stdout.write(result.diff)
    summary = f"{result.passed} passed, {result.failed} failed, {result.turns} turns, {result.tokens} tokens"
    if not result.ok:
        print(f"fixloop tests: no test file: {result.reason} ({summary})", file=sys.stderr)
        return 1
    print(f"fixloop tests: {result.path.as_posix()}: {summary}", file=sys.stderr)
    if result.transcript:
        print(f"fixloop tests: transcript {result.transcript}", file=sys.stderr)
    for bug in result.bugs_found:
        print(f"fixloop tests: bug found: {bug}", file=sys.stderr)
    target = root / result.path
    if args.write:
        if target.exists():
            return _fail(f"{result.path} exists; not overwritten")
        target.write_text(result.text, encoding="utf-8")
        print(f"fixloop tests: wrote {result.path.as_posix()}", file=sys.stderr)
    if result.bugs:
        print(
            f"fixloop tests: to fix the code: fixloop fix {args.file} --test {result.path.as_posix()}"
            + ("" if args.write else " (after --write)"),
            file=sys.stderr,
        )
    return 0
