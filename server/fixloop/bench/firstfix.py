"""The first fix in a fresh language server, timed against bare runs (`fixloop bench lsp`).

What a user who opens the editor and asks for a fix waits for: a new `fixloop serve` process
over stdio, `initialize` and `initialized`, then `fixloop.fix` on the bundled example
(examples/stats: a wrong index in `median`, caught by its tests) until the answer with a
verified fix. Each round starts a new server and, in turn, times a bare `python stats.py` and a
bare `python -m pytest -q` of the example's tests (the oracle the fix runs at least twice), so
load on a shared machine hits all of them alike. Prints medians; never asserts.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fixloop.bench.userpath import start_server, timed_process

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "stats"


def _first_fix(root: Path, kind: str, image: str | None) -> tuple[float, float]:
    """(process start to verified fix s, fix request to verified fix s) on a new server."""
    conn, _ = start_server(root, kind, image, ("stats.py",))
    try:
        target = root / "stats.py"
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
            times["bare python"].append(timed_process([sys.executable, "stats.py"], root) * 1000)
            times["bare pytest"].append(timed_process(pytest, root) * 1000)
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
