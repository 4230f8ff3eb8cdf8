"""The first fix in a fresh language server, timed against bare runs (`fixloop bench lsp`).

What a user who opens the editor and asks for a fix waits for: a new `fixloop serve` process
over stdio, `initialize` and `initialized`, then `fixloop.fix` on the bundled example
(examples/stats: a wrong index in `median`, caught by its tests) until the answer with a
verified fix. Each round starts a new server and, in turn, times a bare `python stats.py` and a
bare `python -m pytest -q` of the example's tests (the oracle the fix runs at least twice), so
load on a shared machine hits all of them alike. Prints medians; never asserts.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fixloop.bench.rpc import Connection

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "stats"


def _first_fix(root: Path, kind: str, image: str | None) -> tuple[float, float]:
    """(process start to verified fix s, fix request to verified fix s) on a new server."""
    env = {k: v for k, v in os.environ.items() if k != "FIXLOOP_FRESH_SANDBOXES"}
    settings: dict[str, Any] = {"sandbox": kind, "engine": "offline", "timeout": 30}
    if image:
        settings["dockerImage"] = image
    conn = Connection([sys.executable, "-m", "fixloop", "serve"], env=env)
    try:
        conn.initialize(root, {"settings": settings})
        target = root / "stats.py"
        document = {"uri": target.as_uri(), "languageId": "python", "version": 1}
        conn.notify(
            "textDocument/didOpen", {"textDocument": {**document, "text": target.read_text()}}
        )
        asked = time.perf_counter()
        answer = conn.request(
            "workspace/executeCommand",
            {"command": "fixloop.fix", "arguments": [{"uri": target.as_uri(), "version": 1}]},
        )
        done = time.perf_counter()
    finally:
        conn.close()
    if not isinstance(answer, dict) or answer.get("verified") is not True:
        raise RuntimeError(f"the first fix was not verified: {answer!r}")
    return done - conn.started, done - asked


def _bare(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - started


def measure(kind: str, rounds: int, image: str | None) -> dict[str, Any]:
    """Medians (ms) over `rounds` fresh servers, or {"unavailable": reason}."""
    if not (EXAMPLE / "stats.py").is_file():
        return {"unavailable": f"{EXAMPLE} not found (run from a source checkout)"}
    times: dict[str, list[float]] = {
        "start to fix": [],
        "fix request": [],
        "bare python": [],
        "bare pytest": [],
    }
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_stats.py"]
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="fixloop-bench-firstfix-") as scratch:
            root = Path(scratch) / "stats"
            shutil.copytree(EXAMPLE, root)
            try:
                total, request = _first_fix(root, kind, image)
            except (RuntimeError, EOFError) as exc:
                return {"unavailable": str(exc)}
            times["start to fix"].append(total * 1000)
            times["fix request"].append(request * 1000)
            times["bare python"].append(_bare([sys.executable, "stats.py"], root) * 1000)
            times["bare pytest"].append(_bare(pytest, root) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def report(figures: dict[str, dict[str, Any]], rounds: int) -> str:
    lines = [f"first fix in a fresh server, examples/stats (median of {rounds} servers):"]
    for kind, values in figures.items():
        if "unavailable" in values:
            lines.append(f"  {kind}: unavailable: {values['unavailable']}")
            continue
        pytest = values["bare pytest"]
        lines.append(
            f"  {kind}: fix request to verified fix {values['fix request']:.0f} ms "
            f"({values['fix request'] / pytest:.1f}x a bare pytest of its tests, "
            f"{pytest:.0f} ms); process start to verified fix {values['start to fix']:.0f} ms; "
            f"bare python {values['bare python']:.0f} ms"
        )
    return "\n".join(lines)
