"""The worker's entry point and its three modes.

- no argument: the long-lived warm worker. One JSON request per stdin line, one JSON answer per
  line on the original stdout; each run request is served in a forked child. A `collect`
  request opens the pytest session (`session.open_session`), which keeps serving the requests
  that follow from inside pytest's run, so that children fork from the collected session.
- `--once`: the fresh-process fallback. One request on stdin, served in this process.
- `[--cut SECONDS] --pytest ARGS...`: the proof, and the fresh run of the original. pytest runs
  here as `python -m pytest ARGS` would, its text output goes to stderr, and one `PytestAnswer`
  line to stdout; with `--cut`, a test whose call runs longer is reported as a timeout.

Stray prints of the user's code never reach the protocol stream: stdout is re-pointed before
anything runs, and requests are read from a private copy of stdin (pytest's capture points
descriptor 0 elsewhere while it runs). Standard library only.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from .forkserver import dispatch, drop_spare, prepare_spare, serve
from .protocol import CollectAnswer, RunRequest, emit
from .pytest_runner import run_pytest_fresh
from .session import open_session

sys.dont_write_bytecode = True


def _run_inline(request: RunRequest) -> list[Any]:
    """Run one request in this process (a fresh process needs no fork)."""
    read_fd, write_fd = os.pipe()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        dispatch(request, write_fd)
    finally:
        os.close(write_fd)
        reader.join()
        os.close(read_fd)
    return [json.loads(line) for line in b"".join(chunks).split(b"\n") if line]


def _warm(modules: Sequence[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except BaseException:  # a module that fails to import is simply not warmed
            pass
    gc.collect()
    gc.freeze()  # keep the warm objects out of every child's collections


def _messages() -> Iterator[Any]:
    """The host's messages, one JSON object per line, from a private copy of stdin."""
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for line in requests:
        if line.strip():
            yield json.loads(line)


def _serve(messages: Iterator[Any], protocol: int) -> None:
    """Answer messages until the host closes the pipe (re-entered from inside a session)."""
    for message in messages:
        if message.get("op") == "warm":
            drop_spare()  # the spare predates these imports
            _warm(message.get("modules", []))
            emit(protocol, {"id": message.get("id"), "ok": True})
        elif message.get("op") == "collect":
            drop_spare()  # the spare predates the session

            def answered(answer: CollectAnswer) -> None:
                emit(protocol, answer)
                if answer["ok"]:
                    prepare_spare()  # forked from the collected session

            open_session(message, answered, lambda: _serve(messages, protocol))
        else:
            emit(protocol, serve(message, None))
        prepare_spare()


def main(argv: Sequence[str]) -> int:
    """Run the mode `argv` asks for; the exit status is pytest's in `--pytest` mode, else 0."""
    protocol = os.dup(1)
    if "--pytest" in argv:
        # pytest's report goes to stderr, the answer alone to stdout.
        os.dup2(2, 1)
        args = list(argv)
        where = args.index("--pytest")
        cut = float(args[args.index("--cut") + 1]) if "--cut" in args[:where] else None
        answer = run_pytest_fresh(args[where + 1 :], cut)
        emit(protocol, answer)
        return answer["exit_code"]
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)  # stray prints must never corrupt the protocol stream
    if "--once" in argv:
        request: RunRequest = json.loads(sys.stdin.read())
        _warm(request.get("warm", []))
        request = {**request, "runner": request.get("runner", "light")}
        emit(protocol, serve(request, _run_inline))
        return 0
    _serve(_messages(), protocol)
    drop_spare()
    return 0
