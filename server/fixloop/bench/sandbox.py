"""`fixloop bench sandbox`: per-run cost of each backend against baselines measured in the same run.

For a `print(1)` program and a small failing program it measures the median wall time of one
run for: the bare interpreter (an asyncio subprocess, no limits), fixloop's local, bwrap and
docker backends (sandbox opened once, warm), and AutoGen's LocalCommandLineCodeExecutor and
DockerCommandLineCodeExecutor on the same interpreter and image; plus the start-up of our
docker sandbox against AutoGen's `start()`. It prints medians and the ratios the targets are
stated in. Backends that are unavailable are reported as such, never silently replaced.

The headline figures are interleaved round-robin with a short pause after every run, so that
each run of each runner starts on an idle machine: our sandboxes start their next spare in the
background when a run begins, and without the pause that work would land on whichever runner
came next (making AutoGen's or our own next row look slower, depending on the order). A second
measurement runs each runner back to back in short blocks, so that a sandbox's own background
work overlaps its next run, as in a loop that runs one program after another.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any, cast

PROGRAMS = {
    "print(1)": "print(1)\n",
    "failing": "def f(xs):\n    return sum(xs) / len(xs)\n\nprint(f([]))\n",
}


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sandbox", help="per-run time of each sandbox vs the bare interpreter and AutoGen"
    )
    parser.add_argument("--runs", type=int, default=20, help="runs per measurement (default 20)")
    parser.add_argument("--image", help="Docker image (default: $FIXLOOP_TEST_IMAGE or settings)")
    parser.add_argument("--skip-docker", action="store_true", help="leave out both docker rows")
    parser.add_argument(
        "--starts",
        type=int,
        default=5,
        help="docker start-ups measured on each side, alternating (default 5)",
    )
    parser.set_defaults(handler=handle)


Runner = Callable[[], Awaitable[Any]]


def _cpu_ms() -> float:
    """CPU time of this process (all threads) and its reaped children, in ms."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return (own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime) * 1000


SETTLE_SECONDS = 0.1  # after each interleaved run: a docker spare exec takes tens of ms
BLOCK = 5  # back-to-back runs per runner per round (after one unmeasured lead-in run)


async def _interleaved(
    runs: int, runners: dict[tuple[str, str], Runner]
) -> dict[tuple[str, str], tuple[float, float]]:
    """(median wall ms, median CPU ms) per runner, measured round-robin so that load changes
    on a shared machine hit every runner alike, each run after a pause. CPU counts what this
    process and its children spend in the run (not a Docker engine's work)."""
    for once in runners.values():
        await once()  # warm-up: caches, first container exec, imports
    walls: dict[tuple[str, str], list[float]] = {key: [] for key in runners}
    cpus: dict[tuple[str, str], list[float]] = {key: [] for key in runners}
    for _ in range(runs):
        for key, once in runners.items():
            await asyncio.sleep(SETTLE_SECONDS)
            cpu, started = _cpu_ms(), time.perf_counter()
            await once()
            walls[key].append((time.perf_counter() - started) * 1000)
            cpus[key].append(_cpu_ms() - cpu)
    return {key: (statistics.median(walls[key]), statistics.median(cpus[key])) for key in runners}


async def _back_to_back(
    runs: int, runners: dict[tuple[str, str], Runner]
) -> dict[tuple[str, str], float]:
    """Median wall ms per runner when each measured run directly follows the runner's previous
    run; rounds of `BLOCK` runs per runner keep slow drifts of the machine from favouring one."""
    walls: dict[tuple[str, str], list[float]] = {key: [] for key in runners}
    for _ in range(max(1, -(-runs // BLOCK))):
        for key, once in runners.items():
            await once()  # lead-in: the runner's previous run, not measured
            for _ in range(BLOCK):
                started = time.perf_counter()
                await once()
                walls[key].append((time.perf_counter() - started) * 1000)
    return {key: statistics.median(values) for key, values in walls.items()}


async def _bare(script: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        script.name,
        cwd=script.parent,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    await process.communicate()


def label_file(label: str) -> str:
    return "print1" if label == "print(1)" else "failing"


async def _measure(args: argparse.Namespace) -> dict[str, dict[str, float | str]]:
    from contextlib import AsyncExitStack

    image = args.image or os.environ.get("FIXLOOP_TEST_IMAGE")
    table: dict[str, dict[str, float | str]] = {}
    runners: dict[tuple[str, str], Runner] = {}
    with tempfile.TemporaryDirectory(prefix="fixloop-bench-") as tmp:
        root = Path(tmp)
        for label, code in PROGRAMS.items():
            (root / f"{label_file(label)}.py").write_text(code)
            runners[("bare python", label)] = _bare_runner(root / f"{label_file(label)}.py")
        table["bare python"] = {}
        async with AsyncExitStack() as stack:
            await _our_runners(args, root, image, table, runners, stack)
            await _autogen_runners(args, root, image, table, runners, stack)
            medians = await _interleaved(args.runs, runners)
            sustained = await _back_to_back(args.runs, runners)
        await _docker_starts(args.starts, image, root, table)
        for (row, label), (wall, cpu) in medians.items():
            table[row][label] = wall
            table[row][f"{label} cpu"] = cpu
            table[row][f"{label} b2b"] = sustained[(row, label)]
    return table


async def _docker_starts(
    samples: int,
    image: str | None,
    root: Path,
    table: dict[str, dict[str, float | str]],
) -> None:
    """Replace each docker row's one start-up figure by the median of `samples`, measured
    alternately (ours, then AutoGen's, each stopped again), since one start-up is noisy."""
    ours, theirs = table.get("fixloop docker", {}), table.get("autogen docker", {})
    if not isinstance(ours.get("start"), float) or not isinstance(theirs.get("start"), float):
        return
    from autogen_ext.code_executors.docker import DockerCommandLineCodeExecutor

    from fixloop.sandbox import open_sandbox
    from fixloop.sandbox.images import DEFAULT_DOCKER_IMAGE

    our_starts, their_starts = [float(ours["start"])], [float(theirs["start"])]
    for sample in range(samples - 1):
        started = time.perf_counter()
        sandbox = await open_sandbox("docker", image=image)
        our_starts.append((time.perf_counter() - started) * 1000)
        await sandbox.close()
        work_dir = root / f"autogen-docker-start{sample}"
        work_dir.mkdir()
        executor = DockerCommandLineCodeExecutor(
            image=image or DEFAULT_DOCKER_IMAGE, work_dir=work_dir, timeout=30
        )
        started = time.perf_counter()
        await executor.start()
        their_starts.append((time.perf_counter() - started) * 1000)
        await executor.stop()
    ours["start"], theirs["start"] = statistics.median(our_starts), statistics.median(their_starts)


def _bare_runner(script: Path) -> Runner:
    return lambda: _bare(script)


def _sandbox_runner(sandbox: Any, spec: Any) -> Runner:
    return lambda: sandbox.run(spec)


def _executor_runner(executor: Any, blocks: list[Any], token: Any) -> Runner:
    return lambda: executor.execute_code_blocks(blocks, token)


async def _our_runners(
    args: argparse.Namespace,
    root: Path,
    image: str | None,
    table: dict[str, dict[str, float | str]],
    runners: dict[tuple[str, str], Runner],
    stack: Any,
) -> None:
    from fixloop.sandbox import RunSpec, SandboxUnavailable, open_sandbox

    kinds = ["local", "bwrap"] + ([] if args.skip_docker else ["docker"])
    for kind in kinds:
        row = f"fixloop {kind}"
        try:
            started = time.perf_counter()
            sandbox = await open_sandbox(kind, image=image)
            table[row] = {"start": (time.perf_counter() - started) * 1000}
        except SandboxUnavailable as exc:
            table[row] = {"unavailable": str(exc)}
            continue
        stack.push_async_callback(sandbox.close)
        for label in PROGRAMS:
            spec = RunSpec(argv=(f"{label_file(label)}.py",), root=root)
            runners[(row, label)] = _sandbox_runner(sandbox, spec)
        _user_path_runners(kind, root, image, table, runners)


def _user_path_runners(
    kind: str,
    root: Path,
    image: str | None,
    table: dict[str, dict[str, float | str]],
    runners: dict[tuple[str, str], Runner],
) -> None:
    """The same runs as the language server and `fixloop run` make them: on the process's
    shared sandbox (now), and in a sandbox opened and closed per call (before)."""
    from fixloop.execution import file_spec, run_file, run_shared
    from fixloop.settings import Settings
    from fixloop.settings_schema import SandboxName

    settings = Settings(
        sandbox=cast(SandboxName, kind), docker_image=image or Settings().docker_image
    )
    table[f"{kind} shared"], table[f"{kind} per call"] = {}, {}
    for label in PROGRAMS:
        name = f"{label_file(label)}.py"
        spec = file_spec(name, root=root, settings=settings)
        runners[(f"{kind} shared", label)] = partial(run_shared, spec, settings)
        runners[(f"{kind} per call", label)] = partial(run_file, name, root=root, settings=settings)


async def _autogen_runners(
    args: argparse.Namespace,
    root: Path,
    image: str | None,
    table: dict[str, dict[str, float | str]],
    runners: dict[tuple[str, str], Runner],
    stack: Any,
) -> None:
    try:
        from autogen_core import CancellationToken
        from autogen_core.code_executor import CodeBlock
        from autogen_ext.code_executors.local import LocalCommandLineCodeExecutor
    except ImportError as exc:
        table["autogen local"] = {"unavailable": f"autogen not installed ({exc})"}
        return
    import warnings

    local_dir = root / "autogen-local"
    local_dir.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its "may execute code on the local machine" notice
        local = LocalCommandLineCodeExecutor(work_dir=local_dir, timeout=30)
    await local.start()
    stack.push_async_callback(local.stop)
    table["autogen local"] = {}
    for label in PROGRAMS:
        blocks = [CodeBlock(code=PROGRAMS[label], language="python")]
        runners[("autogen local", label)] = _executor_runner(local, blocks, CancellationToken())
    if args.skip_docker:
        return
    try:
        from autogen_ext.code_executors.docker import DockerCommandLineCodeExecutor
    except ImportError as exc:
        table["autogen docker"] = {"unavailable": f"autogen docker extra missing ({exc})"}
        return
    from fixloop.sandbox.images import DEFAULT_DOCKER_IMAGE

    missing = await asyncio.to_thread(_image_missing, image or DEFAULT_DOCKER_IMAGE)
    if missing:
        # AutoGen's executor pulls a missing image from a registry; a benchmark must not.
        table["autogen docker"] = {"unavailable": missing}
        return
    docker_dir = root / "autogen-docker"
    docker_dir.mkdir()
    executor = DockerCommandLineCodeExecutor(
        image=image or DEFAULT_DOCKER_IMAGE, work_dir=docker_dir, timeout=30
    )
    started = time.perf_counter()
    try:
        await executor.start()
    except Exception as exc:  # engine down, image missing: report, do not hide
        table["autogen docker"] = {"unavailable": f"{type(exc).__name__}: {exc}"}
        return
    table["autogen docker"] = {"start": (time.perf_counter() - started) * 1000}
    stack.push_async_callback(executor.stop)
    for label in PROGRAMS:
        blocks = [CodeBlock(code=PROGRAMS[label], language="python")]
        runners[("autogen docker", label)] = _executor_runner(executor, blocks, CancellationToken())


def _image_missing(image: str) -> str | None:
    """Why `image` cannot be used without a pull, or None when the engine already has it."""
    try:
        import docker

        client = docker.from_env()
        try:
            client.images.get(image)
        finally:
            client.close()
    except Exception as exc:  # engine down, image absent, SDK missing: all mean "skip the row"
        return f"image {image!r} not available locally ({type(exc).__name__}); pass --image"
    return None


def _ratio(table: dict[str, dict[str, float | str]], row: str, base: str, column: str) -> str:
    value, reference = table.get(row, {}).get(column), table.get(base, {}).get(column)
    if not isinstance(value, float) or not isinstance(reference, float) or reference == 0:
        return "n/a"
    return f"{value / reference:.2f}x"


def report(table: dict[str, dict[str, float | str]]) -> str:
    columns = ("print(1)", "print(1) cpu", "failing", "failing cpu", "start")
    lines = [
        f"{'runner':<16} {'print(1) ms':>12} {'(cpu)':>7} {'failing ms':>12} {'(cpu)':>7} "
        f"{'start ms':>10}"
    ]
    for row, values in table.items():
        if "unavailable" in values:
            lines.append(f"{row:<16} unavailable: {values['unavailable']}")
            continue
        shown = [f"{c:.1f}" if isinstance(c, float) else "-" for c in map(values.get, columns)]
        lines.append(
            f"{row:<16} {shown[0]:>12} {shown[1]:>7} {shown[2]:>12} {shown[3]:>7} {shown[4]:>10}"
        )
    lines.append("")
    lines.append(
        "wall-time ratios (target), then the CPU ratio (bwrap and docker CPU leave out the"
    )
    lines.append(
        "sandboxed program, reaped inside its namespace or container, so only local compares):"
    )
    for label in PROGRAMS:
        lines.append(
            f"  {label}: local/bare {_ratio(table, 'fixloop local', 'bare python', label)} (<= 1.1x), "
            f"bwrap/bare {_ratio(table, 'fixloop bwrap', 'bare python', label)} (<= 1.3x), "
            f"docker/autogen-docker {_ratio(table, 'fixloop docker', 'autogen docker', label)} (<= 1x); "
            f"cpu local/bare {_ratio(table, 'fixloop local', 'bare python', label + ' cpu')}"
        )
    lines.append(
        f"  start: docker/autogen-docker {_ratio(table, 'fixloop docker', 'autogen docker', 'start')} (<= 1x)"
    )
    lines.append("user path: the process's shared sandbox (now) and a sandbox per call (before):")
    for kind in ("local", "bwrap", "docker"):
        parts = [
            f"{label}: shared/bare {_ratio(table, f'{kind} shared', 'bare python', label)}, "
            f"per call/bare {_ratio(table, f'{kind} per call', 'bare python', label)}"
            for label in PROGRAMS
        ]
        lines.append(f"  {kind}: " + "; ".join(parts))
    lines.append("")
    lines.append(
        "back to back (each run right after the same runner's previous one; ms, then ratios):"
    )
    for label in PROGRAMS:
        column = f"{label} b2b"
        cells = ", ".join(
            f"{row} {values[column]:.1f}"
            for row, values in table.items()
            if isinstance(values.get(column), float)
        )
        lines.append(f"  {label}: {cells}")
        lines.append(
            f"    local/bare {_ratio(table, 'fixloop local', 'bare python', column)}, "
            f"bwrap/bare {_ratio(table, 'fixloop bwrap', 'bare python', column)}, "
            f"docker/autogen-docker {_ratio(table, 'fixloop docker', 'autogen docker', column)}"
        )
    return "\n".join(lines)


def handle(args: argparse.Namespace) -> int:
    if args.runs < 1 or args.starts < 1:
        print("fixloop bench sandbox: --runs and --starts must be at least 1", file=sys.stderr)
        return 2
    table = asyncio.run(_measure(args))
    print(report(table))
    return 0
