"""`fixloop bench NAME`: benchmarks that print medians and ratios against a same-run baseline.

Each benchmark is a module in `fixloop.bench` exposing `register(subparsers)`; this command only
collects them. Benchmarks never assert timings; they print figures for the README and issues.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

BENCH_MODULES = ("sandbox", "repair", "lsp", "llm", "sweep")


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "bench", help="measure speed against a baseline measured in the same run"
    )
    inner = parser.add_subparsers(dest="bench", metavar="BENCHMARK", parser_class=type(parser))
    for name in BENCH_MODULES:
        try:
            module = importlib.import_module(f"fixloop.bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"fixloop.bench.{name}":
                raise
            continue
        module.register(inner)

    def show_help(args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    parser.set_defaults(handler=show_help)
