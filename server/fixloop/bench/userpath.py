"""The paths users hit, timed against the bare interpreter in the same run (`fixloop bench lsp`).

For each sandbox kind it starts two real language servers over stdio: one as shipped (the
process's shared sandbox, warmed at `initialized`) and one with `FIXLOOP_FRESH_SANDBOXES=1`
(a sandbox opened and closed per call: the path before the shared sandbox). Each round, in
turn, times: `python prog.py` as a bare process, a Run File round trip on each server
(`workspace/executeCommand fixloop.runFile` to its answer, which comes after the diagnostics are
published), `python -m pytest -q test_mod.py` as a bare process, a Run Tests round trip on each
server, and a whole `fixloop run` process. Rounds interleave the runners so load on a shared
machine hits them alike. Prints medians and ratios to the bare process; never asserts.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fixloop.bench.rpc import Connection

PROGRAM = "def mean(xs):\n    return sum(xs) / len(xs)\n\n\nprint(mean([]))\n"
MODULE = "def half(x):\n    return x / 3\n"
TESTS = (
    "from mod import half\n\n\ndef test_half():\n    assert half(4) == 2\n\n\n"
    "def test_zero():\n    assert half(0) == 0\n"
)
PATHS = ("run file", "run tests")
# A pause before each timed action: the spares a server starts after answering (the next warm
# interpreter, the next zygote) must not slow the next runner, least of all the bare baseline.
# A user's requests are seconds apart; this is far shorter and still lets them settle.
SETTLE_SECONDS = 0.1


def start_server(
    root: Path, kind: str, image: str | None, documents: tuple[str, ...], *, fresh: bool = False
) -> tuple[Connection, float]:
    """A `fixloop serve` on `kind` (a sandbox per call with `fresh`), initialized on `root`, with
    `documents` open at version 1; (connection, start-to-initialize s)."""
    env = {k: v for k, v in os.environ.items() if k != "FIXLOOP_FRESH_SANDBOXES"}
    if fresh:
        env["FIXLOOP_FRESH_SANDBOXES"] = "1"
    settings: dict[str, Any] = {"sandbox": kind, "engine": "offline", "timeout": 30}
    if image:
        settings["dockerImage"] = image
    conn = Connection([sys.executable, "-m", "fixloop", "serve"], env=env)
    started = conn.initialize(root, {"settings": settings})
    for name in documents:
        text = (root / name).read_text()
        document = {"uri": (root / name).as_uri(), "languageId": "python", "version": 1}
        conn.notify("textDocument/didOpen", {"textDocument": {**document, "text": text}})
    return conn, started


def _server(
    root: Path, kind: str, image: str | None, fresh: bool
) -> tuple[Connection, float, float]:
    """A started server with the documents open; (connection, start-to-initialize s, first Run
    File round trip s, sent right after `initialized`)."""
    conn, started = start_server(root, kind, image, ("prog.py", "mod.py"), fresh=fresh)
    first = _timed(lambda: _command(conn, "fixloop.runFile", root / "prog.py"))
    return conn, started, first


def _command(conn: Connection, command: str, path: Path) -> None:
    answer = conn.request(
        "workspace/executeCommand", {"command": command, "arguments": [{"uri": path.as_uri()}]}
    )
    if not isinstance(answer, dict) or "ok" not in answer:
        raise RuntimeError(f"{command} did not answer: {answer!r}")


def _process(command: list[str], cwd: Path) -> None:
    subprocess.run(command, cwd=cwd, capture_output=True, check=False)


def _timed(action: Callable[[], None]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def timed_process(command: list[str], cwd: Path) -> float:
    """Seconds a whole process `command` takes in `cwd` (its output discarded)."""
    return _timed(lambda: _process(command, cwd))


def measure_kind(kind: str, runs: int, image: str | None) -> dict[str, Any]:
    """Medians (ms) of each runner for one sandbox kind, or {"unavailable": reason}."""
    with tempfile.TemporaryDirectory(prefix="fixloop-bench-userpath-") as scratch:
        root = Path(scratch)
        for name, text in (("prog.py", PROGRAM), ("mod.py", MODULE), ("test_mod.py", TESTS)):
            (root / name).write_text(text)
        servers: dict[str, Connection] = {}
        figures: dict[str, Any] = {"first run file ms": {}}
        try:
            for mode in ("shared", "fresh"):
                conn, _, first = _server(root, kind, image, fresh=mode == "fresh")
                servers[mode] = conn
                figures["first run file ms"][mode] = first * 1000
        except (RuntimeError, EOFError) as exc:
            for conn in servers.values():
                conn.close()
            return {"unavailable": str(exc)}
        python = [sys.executable]
        fixloop_run = [*python, "-m", "fixloop", "run", "--sandbox", kind, "prog.py"]
        if image:
            fixloop_run[-1:-1] = ["--image", image]
        runners: dict[str, Callable[[], None]] = {
            "run file: bare python": lambda: _process([*python, "prog.py"], root),
            "run file: shared": lambda: _command(
                servers["shared"], "fixloop.runFile", root / "prog.py"
            ),
            "run file: fresh": lambda: _command(
                servers["fresh"], "fixloop.runFile", root / "prog.py"
            ),
            "run tests: bare pytest": lambda: _process(
                [*python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mod.py"], root
            ),
            "run tests: shared": lambda: _command(
                servers["shared"], "fixloop.runTests", root / "mod.py"
            ),
            "run tests: fresh": lambda: _command(
                servers["fresh"], "fixloop.runTests", root / "mod.py"
            ),
            "fixloop run process": lambda: _process(fixloop_run, root),
        }
        try:
            for action in runners.values():
                action()  # warm-up: caches, imports, the first container exec
            times: dict[str, list[float]] = {name: [] for name in runners}
            for _ in range(runs):
                for name, action in runners.items():
                    time.sleep(SETTLE_SECONDS)
                    times[name].append(_timed(action) * 1000)
        finally:
            for conn in servers.values():
                conn.close()
    figures.update({name: statistics.median(values) for name, values in times.items()})
    return figures


def measure(kinds: list[str], runs: int, image: str | None) -> dict[str, dict[str, Any]]:
    return {kind: measure_kind(kind, runs, image) for kind in kinds}


def _ratio(value: Any, base: Any) -> str:
    if not isinstance(value, float) or not isinstance(base, float) or base == 0:
        return "n/a"
    return f"{value / base:.2f}x"


def report(figures: dict[str, dict[str, Any]], runs: int) -> str:
    lines = [f"user paths, round trip through the real server over stdio (median of {runs}):"]
    for kind, values in figures.items():
        if "unavailable" in values:
            lines.append(f"  {kind}: unavailable: {values['unavailable']}")
            continue
        bare_run, bare_tests = values["run file: bare python"], values["run tests: bare pytest"]
        lines.append(
            f"  {kind}: Run File shared {values['run file: shared']:.1f} ms "
            f"({_ratio(values['run file: shared'], bare_run)} of bare python "
            f"{bare_run:.1f} ms; target <= 1.3x), fresh sandbox per call "
            f"{values['run file: fresh']:.1f} ms ({_ratio(values['run file: fresh'], bare_run)})"
        )
        lines.append(
            f"  {kind}: Run Tests shared {values['run tests: shared']:.1f} ms "
            f"({_ratio(values['run tests: shared'], bare_tests)} of bare pytest "
            f"{bare_tests:.1f} ms), fresh sandbox per call {values['run tests: fresh']:.1f} ms "
            f"({_ratio(values['run tests: fresh'], bare_tests)})"
        )
        first = values["first run file ms"]
        lines.append(
            f"  {kind}: first Run File right after initialized: shared {first['shared']:.1f} ms, "
            f"fresh {first['fresh']:.1f} ms; whole `fixloop run` process "
            f"{values['fixloop run process']:.1f} ms "
            f"({_ratio(values['fixloop run process'], bare_run)} of bare python)"
        )
    return "\n".join(lines)
