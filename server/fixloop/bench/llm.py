"""`fixloop bench llm`: our model loop's overhead per turn against AutoGen's own, in one run.

Both sides talk to the same instant, scripted OpenAI-compatible server on 127.0.0.1 (started
here, stdlib only) and play the same conversation: the model first writes a program that fails,
then one that writes fibonacci.txt; AutoGen's team then needs one more model turn to hear
"TERMINATE". Ours is `fixloop.task.solve_task` (sandbox, file checks, feedback); the baseline is
AutoGen's `RoundRobinGroupChat` of an `AssistantAgent` and a `CodeExecutorAgent` with
`LocalCommandLineCodeExecutor` (or, for our docker sandbox, `DockerCommandLineCodeExecutor` on the
same image). Time spent inside the HTTP call to the model is measured on both
sides by the same client wrapper and subtracted; what is left, divided by the code executions
(two on each side), is the overhead per turn. Like a language server, the bench runs many tasks
in one process: ours share the opened sandbox, and each task's warm worker was started when the
previous task ended (`fixloop.sandbox.shared`); the warm-up conversation pays for the first one.
A short pause after each of our conversations lets that background start finish before AutoGen
is timed, so it is not billed to the baseline. A second line per sandbox gives the first task
of a process (shared sandboxes closed first), which a one-shot `fixloop task` pays. The
headline uses an instant model; a second run with a realistic model latency (300 ms by default)
shows the steady state. The command prints medians and ratios and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TASK = "Write a Python script that generates a Fibonacci sequence up to 100 and saves it to fibonacci.txt"
BROKEN = "```python\nnumbers = fibonacci(100)\n```"
GOOD = """```python
a, b = 0, 1
numbers = []
while a <= 100:
    numbers.append(a)
    a, b = b, a + b
with open("fibonacci.txt", "w") as handle:
    handle.write(" ".join(map(str, numbers)))
print(numbers)
```"""
EXECUTIONS_PER_CONVERSATION = 2
SETTLE_SECONDS = 0.25  # after our conversation: the next task's spare worker starts in this pause


def _reply_for(body: dict[str, Any]) -> str:
    """The scripted turn: broken code, then good code, then TERMINATE (AutoGen's stop word)."""
    answered = sum(1 for m in body.get("messages", []) if m.get("role") == "assistant")
    return (BROKEN, GOOD)[answered] if answered < 2 else "The file is written. TERMINATE"


class _InstantModel(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    latency = 0.0  # seconds before each answer (0: the instant model of the headline figure)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:  # noqa: N802 (http.server API)
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if self.latency:
            time.sleep(self.latency)
        payload = json.dumps(
            {
                "id": "bench",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "bench"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": _reply_for(body)},
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


IMAGE: list[str] = []  # --image for the docker sandbox


async def _ours(config: Any, sandbox: str) -> tuple[float, float]:
    from fixloop.settings import structure_settings
    from fixloop.task import solve_task

    settings, problems = structure_settings(
        {"sandbox": sandbox, **({"docker_image": IMAGE[0]} if IMAGE else {})}
    )
    if problems:
        raise SystemExit("; ".join(problems))
    started = time.perf_counter()
    result = await solve_task(TASK, settings=settings, model=config)
    total = time.perf_counter() - started
    if not result.solved or result.turns != 2:
        raise RuntimeError(f"our loop did not follow the script: {result.reason}")
    return total, result.model_seconds


async def _autogen(config: Any, docker_image: str | None = None) -> tuple[float, float]:
    """One scripted conversation through AutoGen's own team; Docker executor when an image is given."""
    from autogen_agentchat.agents import AssistantAgent, CodeExecutorAgent
    from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
    from autogen_agentchat.teams import RoundRobinGroupChat
    from autogen_core.code_executor import CodeExecutor

    from fixloop.repair.llm.client import retrying_client

    client = retrying_client(config)
    with tempfile.TemporaryDirectory(prefix="fixloop-bench-autogen-") as work_dir:
        started = time.perf_counter()
        with warnings.catch_warnings():
            # AutoGen warns that local execution is unsafe and unapproved: that is the baseline.
            warnings.simplefilter("ignore")
            executor: CodeExecutor
            if docker_image:
                from autogen_ext.code_executors.docker import DockerCommandLineCodeExecutor

                executor = DockerCommandLineCodeExecutor(image=docker_image, work_dir=work_dir)
                await executor.start()
            else:
                from autogen_ext.code_executors.local import LocalCommandLineCodeExecutor

                executor = LocalCommandLineCodeExecutor(work_dir=work_dir)
            team = RoundRobinGroupChat(
                [
                    AssistantAgent("coder", model_client=client),
                    CodeExecutorAgent("executor", code_executor=executor),
                ],
                termination_condition=TextMentionTermination("TERMINATE")
                | MaxMessageTermination(8),
            )
        try:
            await team.run(task=TASK)
        finally:
            if docker_image:
                await executor.stop()
        total = time.perf_counter() - started
        if not (Path(work_dir) / "fibonacci.txt").exists():
            raise RuntimeError("AutoGen's team did not follow the script")
    await client.close()
    return total, client.model_seconds


def _per_turn(samples: list[tuple[float, float]]) -> float:
    return statistics.median(
        (total - model) / EXECUTIONS_PER_CONVERSATION for total, model in samples
    )


async def _compare(config: Any, runs: int, sandboxes: list[str], label: str) -> None:
    from fixloop.sandbox.shared import close_all

    # Our local and bwrap sandboxes are compared with AutoGen's local executor, our docker sandbox
    # with AutoGen's Docker executor on the same image. Warm-up first (imports, first connections),
    # then the sides are interleaved so that load from other processes falls on both alike.
    image = IMAGE[0] if IMAGE else None
    baselines = {"local": None, **({"docker": image} if "docker" in sandboxes else {})}
    for docker_image in baselines.values():
        await _autogen(config, docker_image)
    for sandbox in sandboxes:
        await _ours(config, sandbox)
        await asyncio.sleep(SETTLE_SECONDS)
    theirs: dict[str, list[tuple[float, float]]] = {name: [] for name in baselines}
    ours: dict[str, list[tuple[float, float]]] = {sandbox: [] for sandbox in sandboxes}
    # The first task of a process (a one-shot `fixloop task`) finds nothing shared: measured
    # after closing the shared sandboxes, and reported on its own line.
    first: dict[str, list[tuple[float, float]]] = {sandbox: [] for sandbox in sandboxes}
    for _ in range(runs):
        for name, docker_image in baselines.items():
            theirs[name].append(await _autogen(config, docker_image))
        for sandbox in sandboxes:
            await close_all()
            first[sandbox].append(await _ours(config, sandbox))
            await asyncio.sleep(SETTLE_SECONDS)
            ours[sandbox].append(await _ours(config, sandbox))
            await asyncio.sleep(SETTLE_SECONDS)
    for name, samples in theirs.items():
        executor = (
            "DockerCommandLineCodeExecutor" if name == "docker" else "LocalCommandLineCodeExecutor"
        )
        print(
            f"[{label}] autogen RoundRobinGroupChat + {executor}: {_per_turn(samples) * 1000:.1f} ms "
            f"overhead per turn (median of {runs}; model wait "
            f"{statistics.median(m for _, m in samples) * 1000:.0f} ms per conversation)"
        )
    for sandbox in sandboxes:
        baseline = "docker" if sandbox == "docker" else "local"
        our_turn, their_turn = _per_turn(ours[sandbox]), _per_turn(theirs[baseline])
        print(
            f"[{label}] fixloop task ({sandbox} sandbox): {our_turn * 1000:.1f} ms overhead per turn "
            f"(median of {runs}); ratio vs autogen {baseline} = {our_turn / their_turn:.2f} (target <= 1.00)"
        )
        cold_turn = _per_turn(first[sandbox])
        print(
            f"[{label}] fixloop task ({sandbox} sandbox), first task of a process: "
            f"{cold_turn * 1000:.1f} ms overhead per turn (median of {runs}); ratio vs autogen "
            f"{baseline} = {cold_turn / their_turn:.2f}"
        )


async def _bench(runs: int, sandboxes: list[str], latencies: list[float]) -> int:
    from fixloop.settings import ModelConfig

    server = ThreadingHTTPServer(("127.0.0.1", 0), _InstantModel)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = ModelConfig(
        model="bench-coder",
        base_url=f"http://127.0.0.1:{server.server_address[1]}/v1",
        api_key="bench-not-a-secret",
    )
    try:
        for latency in latencies:
            _InstantModel.latency = latency
            label = (
                "instant model" if not latency else f"model answering in {latency * 1000:.0f} ms"
            )
            await _compare(config, runs, sandboxes, label)
    finally:
        server.shutdown()
        server.server_close()
    return 0


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "llm", help="model-loop overhead per turn vs AutoGen's RoundRobinGroupChat (scripted model)"
    )
    parser.add_argument("--runs", type=int, default=9, help="conversations per side (default 9)")
    parser.add_argument(
        "--sandbox",
        action="append",
        choices=("local", "bwrap", "docker"),
        help="our sandbox(es) to measure (default: local and bwrap)",
    )
    parser.add_argument(
        "--image",
        default=os.environ.get("FIXLOOP_TEST_IMAGE", ""),
        help="Docker image for --sandbox docker (default: FIXLOOP_TEST_IMAGE)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        action="append",
        help="model latency in ms to measure besides the instant model (default: 300)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="2 runs, local sandbox, instant model only (CI)"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.image:
        IMAGE[:] = [args.image]
    runs = 2 if args.quick else max(1, args.runs)
    sandboxes = args.sandbox or (["local"] if args.quick else ["local", "bwrap"])
    extra = [] if args.quick else [ms / 1000 for ms in (args.latency or [300.0]) if ms > 0]
    return asyncio.run(_bench(runs, sandboxes, [0.0, *extra]))
