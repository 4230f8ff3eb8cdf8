"""`fixloop task "TEXT"`: let the model write and fix a program until a sandbox run proves it works.

Wiring only: parse, build `Settings`, call `fixloop.task.solve_task`, copy the final script and
the produced files into `--dir` (default ./fixloop-output/) and list them. Exit 0 solved, 1 not
solved within the budgets, 2 configuration or sandbox error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fixloop.cli.checks import count, seconds
from fixloop.cli.terminal import for_a_person
from fixloop.settings import SANDBOXES, Settings, structure_settings

if TYPE_CHECKING:
    from fixloop.task_files import TaskResult


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by `fixloop task` and `fixloop tests`."""
    parser.add_argument("--model", default="", help="model name (default: FIXLOOP_MODEL)")
    parser.add_argument(
        "--base-url",
        default="",
        help="OpenAI-compatible endpoint (default: FIXLOOP_BASE_URL / OPENAI_BASE_URL)",
    )
    parser.add_argument("--sandbox", choices=SANDBOXES, default="auto")
    parser.add_argument("--python", default="", help="interpreter for the generated code")
    parser.add_argument("--image", default="", help="Docker image for --sandbox docker")
    parser.add_argument(
        "--timeout", type=seconds, default=None, help="wall seconds per sandbox run"
    )
    parser.add_argument(
        "--budget", type=seconds, default=None, help="wall seconds for the whole conversation"
    )
    parser.add_argument("--max-turns", type=count, default=None, help="model turns (default 6)")
    parser.add_argument(
        "--network", action="store_true", help="give the sandbox network access (pip install)"
    )
    parser.add_argument(
        "--allow-shell", action="store_true", help="run shell blocks the model writes"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def settings_from(args: argparse.Namespace) -> Settings:
    raw: dict[str, Any] = {
        "engine": "llm",
        "sandbox": args.sandbox,
        "python": args.python,
        "model": args.model,
        "base_url": args.base_url,
        "network": args.network,
        "allow_shell": args.allow_shell,
        "timeout": args.timeout,
        "budget": args.budget,
        "max_turns": args.max_turns,
    }
    if args.image:
        raw["docker_image"] = args.image
    settings, problems = structure_settings({k: v for k, v in raw.items() if v not in ("", None)})
    for problem in problems:
        print(f"fixloop: {problem}", file=sys.stderr)
    return replace(settings, network=args.network, allow_shell=args.allow_shell)


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "task", help="have the model write a program for a task and prove it runs"
    )
    parser.add_argument(
        "text", help='the task, e.g. "write fibonacci numbers up to 100 to fib.txt"'
    )
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("fixloop-output"),
        help="where the script and produced files go",
    )
    parser.add_argument(
        "--data", type=Path, action="append", default=[], help="an input file the program may read"
    )
    parser.add_argument(
        "--expect", action="append", default=None, help="a file the program must create"
    )
    add_model_options(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from fixloop.repair.llm.errors import ModelConfigError, ModelError
    from fixloop.sandbox.base import SandboxUnavailable
    from fixloop.task import solve_task

    for data in args.data:
        if not data.is_file():
            print(f"fixloop: --data {data}: not a file", file=sys.stderr)
            return 2
    settings = settings_from(args)
    try:
        result = asyncio.run(
            solve_task(
                args.text,
                settings=settings,
                data_files=args.data,
                expected_files=args.expect,
                progress=lambda message: print(
                    for_a_person(f"fixloop: {message}"), file=sys.stderr
                ),
            )
        )
    except (ModelConfigError, SandboxUnavailable) as error:
        print(f"fixloop: {error}", file=sys.stderr)
        return 2
    except ModelError as error:
        print(f"fixloop: {error}", file=sys.stderr)
        return 1
    written = _save(result, args.dir) if result.solved else []
    summary = (
        f"{'solved' if result.solved else 'not solved'} in {result.turns} turns, "
        f"{result.tokens} tokens (~${result.cost_usd:.4f}), sandbox {result.sandbox}"
    )
    if args.json:
        print(
            json.dumps(
                {
                    "solved": result.solved,
                    "reason": result.reason,
                    "script": result.script_name,
                    "files": [str(p) for p in written],
                    "skipped": list(result.skipped),
                    "turns": result.turns,
                    "tokens": result.tokens,
                    "cost_usd": result.cost_usd,
                    "output": result.output,
                    "sandbox": result.sandbox,
                    "transcript": result.transcript,
                }
            )
        )
    else:
        if result.output:
            print(for_a_person(result.output))
        for path in written:
            print(for_a_person(f"wrote {path}"))
        for name in result.skipped:
            print(for_a_person(f"not copied (too large): {name}"))
    line = f"fixloop: {summary}" + (f": {result.reason}" if result.reason else "")
    print(for_a_person(line), file=sys.stderr)
    if result.transcript and not args.json:
        print(f"fixloop: transcript {result.transcript}", file=sys.stderr)
    return 0 if result.solved else 1


def _save(result: TaskResult, out_dir: Path) -> list[Path]:
    """The final script and the files the program produced, written into `out_dir` without
    following a symlink anywhere below it (`fixloop.safewrite.write_output`)."""
    from fixloop.safewrite import write_output
    from fixloop.task_files import safe_relative_name

    entries = [(result.script_name, (result.script or "").encode())] if result.script else []
    entries += [(produced.name, produced.data) for produced in result.files]
    written = []
    for name, data in entries:
        try:
            relative = safe_relative_name(name, max_length=1024)
            written.append(write_output(out_dir, relative, data))
        except (ValueError, OSError) as error:
            print(for_a_person(f"fixloop: not written: {name}: {error}"), file=sys.stderr)
    return written
