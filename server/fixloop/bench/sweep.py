"""`fixloop bench sweep`: one project swept serially, by 2 local workers and by 2 Ray workers.

The project is assembled from `tests/corpus-projects`: several real-world-shaped projects whose
packages, test files and data do not clash, copied side by side under one pytest configuration
(`assemble_project`), so one suite holds several independent faults. Each mode sweeps a fresh
copy with the offline engine, the same sandbox and budget: `serial` (the local executor with 1
worker), `local x2`, and `ray x2` on a Ray cluster on this machine that the benchmark starts
and stops itself (`fixloop.sweep.raycluster`). It prints, side by side, the sweep's wall time,
fixes per minute, the median job time, and each job's round trip on the driver minus its own
time in the worker (what the executor costs per job); then the scaling efficiency of 2 local
workers against 1, and Ray's overhead per job against the local pool as a share of a median
job (target: under 5%). Nothing is asserted: these are figures, medians over `--runs`.
"""

from __future__ import annotations

import argparse
import asyncio
import configparser
import contextlib
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Flat packages, distinct test file names and data files: the faults are independent.
BENCH_PROJECTS = ("shipping_rates", "phonebook_normalize", "shapes_area", "pubsub_async")
QUICK_PROJECTS = ("shipping_rates", "phonebook_normalize")


def corpus_projects(path: str | None = None) -> Path:
    if path:
        return Path(path).resolve()
    here = Path.cwd() / "tests" / "corpus-projects"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "tests" / "corpus-projects"


def _markers(project: Path) -> list[str]:
    import tomllib

    markers: list[str] = []
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        options = tomllib.loads(pyproject.read_text()).get("tool", {}).get("pytest", {})
        markers += options.get("ini_options", {}).get("markers", [])
    for name, section in (("setup.cfg", "tool:pytest"), ("pytest.ini", "pytest")):
        path = project / name
        if path.is_file():
            parser = configparser.ConfigParser()
            parser.read(path)
            if parser.has_option(section, "markers"):
                lines = parser.get(section, "markers").splitlines()
                markers += [marker.strip() for marker in lines if marker.strip()]
    return markers


def assemble_project(destination: Path, names: Sequence[str], corpus: Path | None = None) -> Path:
    """Copy the named corpus projects into `destination` as one project; return its root.
    Raises FileExistsError when two projects have the same file."""
    source_root = corpus or corpus_projects()
    destination.mkdir(parents=True, exist_ok=True)
    markers: list[str] = []
    for name in names:
        project = source_root / name / "project"
        markers += _markers(project)
        for source in sorted(project.rglob("*")):
            relative = source.relative_to(project)
            if not source.is_file() or relative.as_posix() in (
                "pyproject.toml",
                "setup.cfg",
                "pytest.ini",
            ):
                continue
            target = destination / relative
            if target.exists():
                raise FileExistsError(f"{name} and an earlier project both have {relative}")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    lines = ["[pytest]", "testpaths = tests", "addopts = -ra --strict-markers", "markers ="]
    lines += [f"    {marker}" for marker in markers]
    (destination / "pytest.ini").write_text("\n".join(lines) + "\n")
    return destination


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sweep", help="a project swept serially, by 2 local workers and by 2 Ray workers"
    )
    parser.add_argument("--corpus", default=None, help="tests/corpus-projects (default: found)")
    parser.add_argument("--project", action="append", default=[], help="corpus projects to use")
    parser.add_argument("--runs", type=int, default=1, help="sweeps per mode (medians)")
    parser.add_argument("--budget", type=float, default=150.0, help="seconds per job")
    parser.add_argument("--sandbox", default="auto")
    parser.add_argument("--quick", action="store_true", help="two projects, one run (for CI)")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray row")
    parser.set_defaults(handler=handle)


@dataclass(frozen=True)
class Row:
    mode: str
    wall: float  # seconds, the median sweep
    jobs: int
    fixed: int
    job_seconds: float  # median job time inside its worker
    overhead_ms: float  # median of (round trip on the driver - job time in the worker)

    @property
    def fixes_per_minute(self) -> float:
        return self.fixed / (self.wall / 60) if self.wall else 0.0


async def _sweep_once(
    project: Path, executor: str, workers: int, args: Any, address: str | None
) -> Any:
    from fixloop.sweep.model import JobSettings
    from fixloop.sweep.run import SweepOptions, run_sweep

    options = SweepOptions(
        root=project,
        settings=JobSettings(engine="offline", sandbox=args.sandbox, budget=args.budget),
        executor="ray" if executor == "ray" else "local",
        workers=workers,
        ray_address=address,
    )
    return await run_sweep(options)


def _row(mode: str, reports: list[Any], walls: list[float]) -> Row:
    from fixloop.sweep.model import Verdict

    results = [r for report in reports for r in report.results]
    return Row(
        mode,
        statistics.median(walls),
        len(reports[0].results),
        int(statistics.median(report.count(Verdict.FIXED) for report in reports)),
        statistics.median(r.duration_ms for r in results) / 1000 if results else 0.0,
        statistics.median(r.round_trip_ms - r.duration_ms for r in results) if results else 0.0,
    )


MODES = (("serial", "local", 1), ("local x2", "local", 2), ("ray x2", "ray", 2))


def _measure(args: Any, base: Path, names: Sequence[str], address: str | None) -> list[Row]:
    """Each run sweeps once in every mode, the modes interleaved, so that a change in the
    machine's load over the benchmark falls on every mode alike."""
    modes = [mode for mode in MODES if mode[1] != "ray" or address]
    reports: dict[str, list[Any]] = {mode: [] for mode, _, _ in modes}
    walls: dict[str, list[float]] = {mode: [] for mode, _, _ in modes}
    for run in range(args.runs):
        for mode, executor, workers in modes:
            folder = base / f"{mode.replace(' ', '-')}-{run}"
            project = assemble_project(folder, names, corpus_projects(args.corpus))
            started = time.monotonic()
            reports[mode].append(
                asyncio.run(_sweep_once(project, executor, workers, args, address))
            )
            walls[mode].append(time.monotonic() - started)
            load = os.getloadavg()[0]
            print(f"bench sweep: run {run + 1}, {mode}: {walls[mode][-1]:.1f}s (load {load:.1f})")
    return [_row(mode, reports[mode], walls[mode]) for mode, _, _ in modes]


def _print(rows: list[Row]) -> None:
    print("\n| mode | sweep wall | jobs | fixed | fixes/min | median job | executor cost per job |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(
            f"| {row.mode} | {row.wall:.1f}s | {row.jobs} | {row.fixed} | "
            f"{row.fixes_per_minute:.2f} | {row.job_seconds:.1f}s | {row.overhead_ms:.0f} ms |"
        )
    by_mode = {row.mode: row for row in rows}
    serial, local = by_mode.get("serial"), by_mode.get("local x2")
    if serial and local and local.wall:
        print(
            f"\nscaling efficiency, 2 local workers against 1: {serial.wall / (2 * local.wall):.2f} "
            f"(speed-up {serial.wall / local.wall:.2f}x)"
        )
    ray = by_mode.get("ray x2")
    if ray and local and local.job_seconds:
        extra = ray.overhead_ms - local.overhead_ms
        share = extra / (local.job_seconds * 1000) * 100
        print(
            f"Ray's overhead per job against the local pool: {extra:+.0f} ms "
            f"({share:+.2f}% of a median job of {local.job_seconds:.1f}s; target under 5%)"
        )
        if local.wall:
            print(f"ray x2 against local x2, whole sweep: {ray.wall / local.wall:.2f}x")


def handle(args: argparse.Namespace) -> int:
    from fixloop.sweep.raycluster import LocalRayCluster

    names = tuple(args.project) or (QUICK_PROJECTS if args.quick else BENCH_PROJECTS)
    if args.quick:
        args.runs = 1
    if not corpus_projects(args.corpus).is_dir():
        print(f"bench sweep: no corpus projects at {corpus_projects(args.corpus)}")
        return 2
    print(
        f"bench sweep: {len(names)} corpus projects in one ({', '.join(names)}), offline engine, "
        f"sandbox {args.sandbox}, budget {args.budget:g}s per job, {args.runs} run(s) per mode; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    base = Path(tempfile.mkdtemp(prefix="fixloop-bench-sweep-"))
    previous_state = os.environ.get("FIXLOOP_STATE_DIR")
    os.environ["FIXLOOP_STATE_DIR"] = str(base / "state")  # transcripts stay out of ~/.cache
    try:
        with contextlib.ExitStack() as stack:
            address = None
            if not args.no_ray:
                try:
                    address = stack.enter_context(
                        LocalRayCluster(head_cpus=2, extra_nodes=0)
                    ).address
                except Exception as exc:  # no Ray here: the other rows still count
                    print(f"bench sweep: no Ray row: {type(exc).__name__}: {exc}")
            _print(_measure(args, base, names, address))
    finally:
        if previous_state is None:
            os.environ.pop("FIXLOOP_STATE_DIR", None)
        else:
            os.environ["FIXLOOP_STATE_DIR"] = previous_state
        shutil.rmtree(base, ignore_errors=True)
    print(
        f"bench sweep: load average at the end {os.getloadavg()[0]:.1f} (a shared machine: compare ratios)"
    )
    return 0
