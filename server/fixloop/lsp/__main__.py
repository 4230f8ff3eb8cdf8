"""`python -m fixloop.lsp [--tcp HOST:PORT]`: the language server, started without the CLI.

It takes the same options as `fixloop serve` and skips only the `fixloop` command line's
dispatch; editors and the benchmark may use either entry point.
"""

from __future__ import annotations

import argparse
import sys

from fixloop.cli.serve import register
from fixloop.secretenv import reexec_without_secrets


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # keep secrets out of /proc/<pid>/environ (fixloop.secretenv)
        reexec_without_secrets()
    parser = argparse.ArgumentParser(prog="python -m fixloop.lsp")
    register(parser.add_subparsers())
    args = parser.parse_args(["serve", *(sys.argv[1:] if argv is None else argv)])
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
