"""`run_sweep`: fix every failing test of a project, as jobs on local processes or a Ray cluster.

The steps: take the project's snapshot; run the whole suite once in the sandbox and collect the
failing tests; attribute each failure to a project module (`grouping`) and plan one job per
module; take unchanged jobs from an earlier sweep's results (`--resume`); run the rest on the
chosen executor; combine the fixes and prove the combination with one fresh run of the whole
suite (`combine`). The process's shared sandbox is held for the whole sweep: the suite runs on
it, and so do the jobs of the in-process executor. Progress goes to a callback as `SweepEvent`s.
Nothing in the project is written here: the report carries the texts, and the CLI writes them
only when asked.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from fixloop.sandbox.base import Sandbox
from fixloop.sweep.combine import combine
from fixloop.sweep.grouping import ModuleIndex, attribute, plan_jobs
from fixloop.sweep.model import (
    CombinedProof,
    ExecutorName,
    FailingTest,
    Job,
    JobResult,
    JobSettings,
    SuiteRun,
    Verdict,
)
from fixloop.sweep.snapshot import (
    Snapshot,
    SnapshotError,
    snapshot_text,
    take_snapshot,
    unpack,
)
from fixloop.sweep.suite import SuiteError, SuiteOutcome, run_suite, suite_arguments

# A job's deadline is its repair budget plus this much for unpacking, opening the sandbox and
# the final proof; past it the job is stopped and reported as timed out.
JOB_GRACE_SECONDS = 60.0
REUSABLE = {Verdict.FIXED, Verdict.NOT_FIXED, Verdict.NOTHING_TO_FIX}


class SweepUsageError(Exception):
    """Bad input for a sweep: the CLI exits 2 with the message, the server returns it."""


@dataclass(frozen=True)
class SweepOptions:
    root: Path
    settings: JobSettings = field(default_factory=JobSettings)
    test_command: str | None = None
    executor: ExecutorName = "local"
    workers: int | None = None  # default: the machine's cores (local), the cluster's CPUs (ray)
    ray_address: str | None = None
    suite_timeout: float = 600.0
    job_grace: float = JOB_GRACE_SECONDS
    leave_out: tuple[Path, ...] = ()  # folders the snapshot skips (the output folder)
    previous: tuple[JobResult, ...] = ()  # an earlier sweep's results, for --resume
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    # The local executor's jobs run in this process, on its shared sandbox (the language
    # server), instead of in worker processes.
    in_process: bool = False


@dataclass(frozen=True)
class SweepEvent:
    kind: Literal["stage", "planned", "result"]
    message: str
    done: int = 0
    total: int = 0
    result: JobResult | None = None


@dataclass(frozen=True)
class SweepReport:
    root: Path
    executor: ExecutorName
    workers: int
    baseline: SuiteRun
    failing: tuple[FailingTest, ...]
    jobs: tuple[Job, ...]
    results: tuple[JobResult, ...]
    combined: CombinedProof | None
    duration_ms: int
    nodes: int = 1

    @property
    def unassigned(self) -> tuple[FailingTest, ...]:
        return tuple(test for test in self.failing if test.module is None)

    @property
    def nothing_to_fix(self) -> bool:
        return not self.baseline.failed

    def count(self, verdict: Verdict) -> int:
        return sum(1 for result in self.results if result.verdict is verdict)


EventCallback = Callable[[SweepEvent], None]


def _text_files(root: Path, snapshot: Snapshot) -> dict[str, str]:
    texts = {}
    for path in snapshot.files:
        if path.endswith(".py"):
            try:
                texts[path] = (root / path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
    return texts


def _plan(
    root: Path, snapshot: Snapshot, first: SuiteOutcome, settings: JobSettings
) -> tuple[tuple[FailingTest, ...], list[Job]]:
    """Attribute each failing test to a module, then one job per module."""
    texts = _text_files(root, snapshot)
    index = ModuleIndex(snapshot.files, texts)
    baseline = first.run()
    found = [attribute(record, index, texts) for record in first.failing]
    # A test that failed in setup and in teardown is one failing test.
    failing = tuple(
        {test.nodeid: test for test in found if test.nodeid in baseline.failed}.values()
    )
    return failing, plan_jobs(failing, settings, snapshot, baseline.passed)


def _reuse(jobs: Sequence[Job], previous: Sequence[JobResult]) -> dict[str, JobResult]:
    by_key = {r.key: r for r in previous if r.verdict in REUSABLE}
    return {job.id: replace(by_key[job.key], resumed=True) for job in jobs if job.key in by_key}


async def run_sweep(options: SweepOptions, on_event: EventCallback | None = None) -> SweepReport:
    """Run a sweep. Raises SweepUsageError for bad input, SandboxUnavailable when the chosen
    sandbox cannot run here, and `RayUnavailable` when the cluster cannot be used."""
    from fixloop.sandbox import SandboxUnavailable, shared

    started = time.monotonic()
    emit = on_event or (lambda event: None)
    root = options.root.resolve()
    if not root.is_dir():
        raise SweepUsageError(f"the project root {root} is not a directory")
    arguments = _arguments(options.test_command)
    executor = _executor(options)  # checks Ray is there before any work starts
    emit(SweepEvent("stage", f"reading the project {root}"))
    try:
        snapshot = await asyncio.to_thread(take_snapshot, root, leave_out=options.leave_out)
    except SnapshotError as exc:
        raise SweepUsageError(str(exc)) from exc
    settings = options.settings
    # The suite runs on the snapshot too, never on files that may change while the sweep runs:
    # the jobs fix what was sent, and the proof is about what was sent.
    scratch = Path(tempfile.mkdtemp(prefix="fixloop-sweep-"))
    copy = scratch / root.name
    await asyncio.to_thread(unpack, snapshot.data, copy)
    # The process's shared sandbox, held for the whole sweep: the suite runs on it, and so do
    # the jobs of an in-process executor (their loops find it open).
    try:
        sandbox = await hold_sandbox(settings)
    except BaseException:
        await asyncio.to_thread(shutil.rmtree, scratch, True)
        raise
    try:

        async def suite(overlay: Mapping[str, str]) -> SuiteRun:
            outcome = await run_suite(
                sandbox,
                copy,
                arguments,
                wall_seconds=options.suite_timeout,
                memory_mb=settings.memory,
                overlay=overlay,
            )
            return outcome.run()

        emit(SweepEvent("stage", "running the suite once to find the failing tests"))
        try:
            first = await run_suite(
                sandbox,
                copy,
                arguments,
                wall_seconds=options.suite_timeout,
                memory_mb=settings.memory,
            )
        except SuiteError as exc:
            raise SweepUsageError(str(exc)) from exc
        baseline = first.run()
        # Reading and parsing the project's files: off the event loop (the server shares it).
        failing, jobs = await asyncio.to_thread(_plan, copy, snapshot, first, settings)
        reused = _reuse(jobs, options.previous)
        to_run = [job for job in jobs if job.id not in reused]
        emit(
            SweepEvent(
                "planned",
                f"{len(baseline.failed)} failing tests in {len(jobs)} modules; "
                f"{len(to_run)} jobs to run" + (f", {len(reused)} resumed" if reused else ""),
                done=len(reused),
                total=len(jobs),
            )
        )
        done = len(reused)
        for result in reused.values():
            emit(SweepEvent("result", _line(result), done, len(jobs), result))

        def on_result(result: JobResult) -> None:
            nonlocal done
            done += 1
            emit(SweepEvent("result", _line(result), done, len(jobs), result))

        ran, nodes = (
            await _execute(executor, snapshot.data, copy, to_run, on_result) if to_run else ([], 1)
        )
        by_id = {**reused, **{r.job_id: r for r in ran}}
        results = tuple(by_id[job.id] for job in jobs if job.id in by_id)
        combined = None
        if any(r.verdict is Verdict.FIXED for r in results):
            emit(SweepEvent("stage", "proving the combined fixes with the whole suite"))
            originals = {
                r.target: text
                for r in results
                if (text := snapshot_text(snapshot.data, r.target)) is not None
            }
            try:
                combined = await combine(results, baseline, suite, originals)
            except SuiteError as exc:
                emit(SweepEvent("stage", f"the combined proof could not run: {exc}"))
    except SandboxUnavailable:
        shared.retire(sandbox)  # it broke while open: the next caller gets a new one
        raise
    finally:
        shared.release(sandbox, roots={copy})
        await asyncio.to_thread(shutil.rmtree, scratch, True)
    return SweepReport(
        root=root,
        executor=options.executor,
        workers=_workers(options),
        baseline=baseline,
        failing=failing,
        jobs=tuple(jobs),
        results=results,
        combined=combined,
        duration_ms=int((time.monotonic() - started) * 1000),
        nodes=nodes,
    )


async def hold_sandbox(settings: JobSettings) -> Sandbox:
    """This process's shared sandbox for the sweep's settings (`shared.release` it); raises
    SandboxUnavailable when it cannot be opened, before anything ran."""
    from fixloop.execution import acquire_shared

    return await acquire_shared(settings.settings(), resident=True)


def _arguments(test_command: str | None) -> tuple[str, ...]:
    try:
        return suite_arguments(test_command)
    except SuiteError as exc:
        raise SweepUsageError(str(exc)) from exc


def _workers(options: SweepOptions) -> int:
    if options.workers is not None:
        return options.workers
    return (os.cpu_count() or 1) if options.executor == "local" else 0


def _executor(options: SweepOptions) -> object:
    deadline = options.settings.budget + options.job_grace
    if options.executor == "ray":
        from fixloop.sweep.rayexec import RayExecutor, check_cluster

        if options.settings.engine == "llm":
            raise SweepUsageError(
                "the model engine's key stays on this machine and never travels to a cluster; "
                "use --executor local for --engine llm"
            )
        check_cluster(options.ray_address)
        return RayExecutor(options.ray_address, options.workers, deadline)
    if options.in_process:
        from fixloop.sweep.inprocess import InProcessExecutor

        return InProcessExecutor(_workers(options), deadline)
    from fixloop.sweep.local import LocalExecutor

    return LocalExecutor(_workers(options), deadline, options.secrets)


async def _execute(
    executor: object,
    snapshot: bytes,
    project: Path,
    jobs: Sequence[Job],
    on_result: Callable[[JobResult], None],
) -> tuple[list[JobResult], int]:
    from fixloop.sweep.inprocess import InProcessExecutor
    from fixloop.sweep.local import LocalExecutor
    from fixloop.sweep.rayexec import RayExecutor

    if isinstance(executor, InProcessExecutor):
        return await executor.run(snapshot, project, jobs, on_result), 1
    if isinstance(executor, LocalExecutor):
        return await executor.run(snapshot, jobs, on_result), 1
    assert isinstance(executor, RayExecutor)
    loop = asyncio.get_running_loop()

    def from_thread(result: JobResult) -> None:
        loop.call_soon_threadsafe(on_result, result)

    work = asyncio.ensure_future(
        asyncio.to_thread(executor.run_blocking, snapshot, jobs, from_thread)
    )
    try:
        results = await asyncio.shield(work)
    except asyncio.CancelledError:
        executor.stop.set()  # the thread cancels Ray's tasks and returns
        await asyncio.gather(work, return_exceptions=True)
        raise
    await asyncio.sleep(0)  # deliver the last callbacks scheduled from the thread
    return results, executor.nodes


def _line(result: JobResult) -> str:
    seconds = result.duration_ms / 1000
    head = f"{result.verdict.value}: {result.target} ({len(result.tests)} tests, {seconds:.1f}s"
    if result.node:
        head += f", {result.node}"
    head += ", resumed" if result.resumed else ""
    tail = f": {result.summary} ({result.proof})" if result.verdict is Verdict.FIXED else ""
    if result.verdict is not Verdict.FIXED and result.reason:
        tail = f": {result.reason}"
    return head + ")" + tail
