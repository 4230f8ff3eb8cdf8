"""Issue 12's audit of the task conversation's spare worker, on the path a user hits.

Per sandbox kind it starts three real language servers over stdio (`fixloop serve`): two as
shipped (an A/A pair that shows the noise) and one with `FIXLOOP_TASK_SPARE=0` (the task's warm
worker starts with the task instead of ahead, when the previous task ended). Each server first
solves one warm-up task (the first task of its process, not timed); then every round sends each
server, in a shuffled order, one `fixloop.task` request. The model is the scripted
OpenAI-compatible server of tests/llm on 127.0.0.1: a failing program, then a good one, each
after `--latency` seconds. Timed per task: request to the progress report of the first run's
result ("turn 1: run ..."), and request to the answer. Prints medians; asserts nothing.

    .venv/bin/python scripts/audit-task-spare.py --rounds 21 --latency 0 0.3
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fixloop.bench.rpc import Connection  # noqa: E402
from llm.scripted_server import RecordedRequest, Reply, ScriptedServer  # noqa: E402

TASK = "Write a Python script that generates a Fibonacci sequence up to 100 and saves it to fibonacci.txt"
BROKEN = "```python\nnumbers = fibonacci(100)\n```"
GOOD = (
    "```python\na, b = 0, 1\nnumbers = []\nwhile a <= 100:\n    numbers.append(a)\n"
    "    a, b = b, a + b\nwith open('fibonacci.txt', 'w') as handle:\n"
    "    handle.write(' '.join(map(str, numbers)))\n```"
)
VARIANTS = ("spare A", "spare A'", "no spare")


class Server(Connection):
    """One `fixloop serve` over pipes that records when progress reports arrive."""

    def __init__(self, root: Path, kind: str, spare: bool, model_url: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "FIXLOOP_TASK_SPARE"}
        if not spare:
            env["FIXLOOP_TASK_SPARE"] = "0"
        env.update(
            FIXLOOP_MODEL="scripted-coder", FIXLOOP_BASE_URL=model_url, FIXLOOP_API_KEY="sk-audit"
        )
        super().__init__([sys.executable, "-m", "fixloop", "serve"], env=env)
        self.next_id = 0
        capabilities = {"window": {"workDoneProgress": True}}
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "capabilities": capabilities,
                "initializationOptions": {"settings": {"sandbox": kind, "timeout": 30}},
            },
        )
        self._write({"jsonrpc": "2.0", "method": "initialized", "params": {}})

    def request(self, method: str, params: Any) -> tuple[Any, float | None]:
        """(the answer, seconds from sending to the first "turn 1: run" progress report)."""
        self.next_id += 1
        msg_id = self.next_id
        sent = time.perf_counter()
        self._write({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        first_turn = None
        while True:
            message = self._read()
            if message.get("id") == msg_id and "method" not in message:
                if "error" in message:
                    raise RuntimeError(f"{method} failed: {message['error']}")
                return message.get("result"), first_turn
            if "method" in message and "id" in message:  # progress create: accept it
                self._write({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif message.get("method") == "$/progress" and first_turn is None:
                text = str(message["params"]["value"].get("message") or "")
                if text.startswith("turn 1: run"):
                    first_turn = time.perf_counter() - sent

    def task(self) -> tuple[float, float]:
        started = time.perf_counter()
        answer, first_turn = self.request(
            "workspace/executeCommand", {"command": "fixloop.task", "arguments": [{"text": TASK}]}
        )
        total = time.perf_counter() - started
        if not (isinstance(answer, dict) and answer.get("ok")) or first_turn is None:
            raise RuntimeError(f"the task did not follow the script: {answer!r}")
        return first_turn, total

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self._write({"jsonrpc": "2.0", "method": "exit", "params": None})
            self.process.wait(timeout=10)
        except (OSError, EOFError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--sandboxes", nargs="+", default=["local", "bwrap"])
    parser.add_argument("--latency", nargs="+", type=float, default=[0.0, 0.3])
    parser.add_argument("--pause", type=float, default=0.5, help="seconds after each task")
    args = parser.parse_args()
    latency = [0.0]

    def answer(request: RecordedRequest) -> Reply:
        said = sum(1 for m in request.body.get("messages", []) if m.get("role") == "assistant")
        return Reply(content=BROKEN if said == 0 else GOOD, delay=latency[0])

    model = ScriptedServer()
    model.fallback = answer
    model.start()
    print(f"load average at start: {os.getloadavg()}", flush=True)
    try:
        for kind in args.sandboxes:
            with tempfile.TemporaryDirectory(prefix="fixloop-audit-spare-") as folder:
                servers = {
                    name: Server(Path(folder), kind, name != "no spare", model.base_url)
                    for name in VARIANTS
                }
                try:
                    for server in servers.values():
                        server.task()  # the first task of its process: not timed
                        time.sleep(args.pause)
                    for seconds in args.latency:
                        latency[0] = seconds
                        figures: dict[str, list[tuple[float, float]]] = {v: [] for v in VARIANTS}
                        for _ in range(args.rounds):
                            order = list(VARIANTS)
                            random.shuffle(order)
                            for name in order:
                                figures[name].append(servers[name].task())
                                time.sleep(args.pause)
                        print(
                            f"{kind}, model latency {seconds:.2f} s, {args.rounds} rounds, "
                            f"load average {os.getloadavg()[0]:.1f}:",
                            flush=True,
                        )
                        for name in VARIANTS:
                            first = statistics.median(f for f, _ in figures[name]) * 1000
                            whole = statistics.median(t for _, t in figures[name]) * 1000
                            print(
                                f"  {name:9s} first run answered {first:7.1f} ms, "
                                f"whole task {whole:7.1f} ms",
                                flush=True,
                            )
                finally:
                    for server in servers.values():
                        server.close()
    finally:
        model.stop()


if __name__ == "__main__":
    main()
