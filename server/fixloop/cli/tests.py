"""`fixloop tests FILE --lines A-B`: the model writes pytest tests for a function; the sandbox runs them.

Wiring only: parse, call `fixloop.testgen.generate_tests`, print the diff that creates the test
file (stdout) and a summary with any bugs found (stderr). `--write` creates the file (never
overwrites one, never follows a symlink). Exit 0 tests generated (bugs found included), 1 none within the budgets,
2 usage, configuration or sandbox error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from fixloop.cli.checks import check_parses, check_source_file
from fixloop.cli.task import add_model_options, settings_from
from fixloop.cli.terminal import escape_for_terminal, for_a_person


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
    _say(message)
    return 2


def _say(message: str) -> None:
    print(f"fixloop tests: {for_a_person(message)}", file=sys.stderr, flush=True)


def handle(args: argparse.Namespace) -> int:
    from fixloop.repair.llm.errors import ModelConfigError, ModelError
    from fixloop.sandbox.base import SandboxUnavailable
    from fixloop.spans import LineRange
    from fixloop.testgen import generate_tests

    root = args.root.resolve()
    file = args.file.resolve()
    problem = check_source_file(file, str(args.file))
    if problem is None and file.suffix != ".py":
        problem = f"{args.file}: not a Python file"
    if problem:
        return _fail(problem)
    try:
        file.relative_to(root)
    except ValueError:
        return _fail(f"{args.file} is outside the project root {root}")
    line_range = None
    if args.lines is not None:
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
                progress=_say,
            )
        )
    except (ModelConfigError, SandboxUnavailable, ValueError, UnicodeDecodeError) as error:
        return _fail(str(error))
    except (RecursionError, MemoryError):
        reason = check_parses(file.read_text(encoding="utf-8", errors="replace"), str(args.file))
        return _fail(reason or f"ran out of memory or recursion depth on {args.file}")
    except ModelError as error:
        _say(str(error))
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
        sys.stdout.write(escape_for_terminal(result.diff) if sys.stdout.isatty() else result.diff)
        sys.stdout.flush()
    summary = f"{result.passed} passed, {result.failed} failed, {result.turns} turns, {result.tokens} tokens"
    if not result.ok:
        _say(f"no test file: {result.reason} ({summary})")
        return 1
    _say(f"{result.path.as_posix()}: {summary}")
    if result.transcript:
        _say(f"transcript {result.transcript}")
    for bug in result.bugs_found:
        _say(f"bug found: {bug}")
    if args.write:
        from fixloop.safewrite import create_file

        try:
            create_file(root / result.path, result.text)
        except FileExistsError:
            return _fail(f"{result.path} exists; not overwritten")
        except OSError as error:
            return _fail(f"cannot write {result.path}: {error.strerror or error}")
        _say(f"wrote {result.path.as_posix()}")
    if result.bugs:
        _say(
            f"to fix the code: fixloop fix {args.file} --test {result.path.as_posix()}"
            + ("" if args.write else " (after --write)")
        )
    return 0
