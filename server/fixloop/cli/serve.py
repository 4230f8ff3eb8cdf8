"""`fixloop serve`: run the language server over stdio (or TCP, for debugging).

The handler imports only the LSP adapter (pygls and lsprotocol); the domain's heavier modules
load on first use inside the commands, so the time to the `initialize` response stays close to
that of a bare pygls server. Logs go to stderr (and to the client as window/logMessage).
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help="run the language server (stdio by default)"
    )
    parser.add_argument("--stdio", action="store_true", help="serve over stdio (the default)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="serve over TCP, for debugging")
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=("debug", "info", "warning", "error"),
        help="stderr log level (default: warning)",
    )
    parser.set_defaults(handler=serve)


def _host_port(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"--tcp expects HOST:PORT, got {value!r}")
    return host or "127.0.0.1", int(port)


def serve(args: argparse.Namespace) -> int:
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="fixloop %(levelname)s %(name)s: %(message)s",
    )
    from fixloop.lsp.server import build_server

    server = build_server()
    if args.tcp:
        try:
            host, port = _host_port(args.tcp)
        except ValueError as exc:
            print(f"fixloop: error: {exc}", file=sys.stderr)
            return 2
        server.start_tcp(host, port)
        return 0
    from fixloop.lsp.stdio import serve_stdio

    return serve_stdio(server)
