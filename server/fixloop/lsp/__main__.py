"""`python -m fixloop.lsp [--tcp HOST:PORT]`: the language server without the CLI's command registry.

`fixloop serve` builds the whole command line first, which imports every sub-command and
benchmark module; an editor that launches the server on every start can skip that cost with
this entry point. It takes the same options as `fixloop serve`.
"""

from __future__ import annotations

import argparse
import sys

from fixloop.cli.serve import register


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fixloop.lsp")
    register(parser.add_subparsers())
    args = parser.parse_args(["serve", *(sys.argv[1:] if argv is None else argv)])
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
