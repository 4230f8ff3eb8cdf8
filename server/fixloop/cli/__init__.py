"""The `fixloop` command line: a thin argparse adapter over the domain core.

Each sub-command lives in its own module in this package and exposes
`register(subparsers) -> None`, which adds its parser and sets `handler` to a function taking the
parsed namespace and returning the exit code. Sub-command modules import heavy pieces (docker,
openai, autogen, pygls) inside their handlers, so `fixloop --help` and `fixloop run` stay fast.
Exit codes: 0 success, 1 failure, 2 usage/sandbox/configuration error, 3 nothing to fix.
Started as a program, `main` first moves secrets out of the process environment
(`fixloop.secretenv`), before anything else runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from fixloop import __version__
from fixloop.secretenv import reexec_without_secrets

# Order is the order shown in --help.
COMMAND_MODULES = ("run", "fix", "sweep", "serve", "task", "tests", "bench")


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on usage errors already; make the message say what to do."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"fixloop: error: {message}\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or with `only` one sub-command registered: importing every sub-command
    (benchmarks pull in http.server and more) would cost `fixloop serve` start-up time."""
    parser = _Parser(prog="fixloop", description="Run, debug and fix Python code in a sandbox.")
    parser.add_argument("--version", action="version", version=f"fixloop {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES if only is None else (only,):
        try:
            module = importlib.import_module(f"fixloop.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"fixloop.cli.{name}":
                raise
            continue  # sub-command not built in this checkout
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # started as a program, not called from Python: see fixloop.secretenv
        reexec_without_secrets()
    arguments = list(sys.argv[1:] if argv is None else argv)
    first = arguments[0] if arguments else None
    parser = build_parser(first if first in COMMAND_MODULES else None)
    args = parser.parse_args(arguments)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        print("fixloop: interrupted", file=sys.stderr)
        return 130
