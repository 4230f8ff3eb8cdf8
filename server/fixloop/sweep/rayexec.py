"""`--executor ray`: each fix job is a Ray task, scheduled by Ray over the cluster's nodes.

Ray is imported here only, and only when this executor is chosen (`import_ray` says clearly
when it is missing). `connect` joins the cluster that `--ray-address` or `RAY_ADDRESS` names,
after checking that something answers there, so an unreachable address fails in seconds with a
clear message rather than after Ray's long retries; with no address it starts a private
one-machine cluster. The snapshot goes into Ray's object store once and every task reads it from
there; a task runs `fixloop.sweep.runner.run_job` on whatever node Ray picks, in a sandbox it
opens for that one job in Ray's worker process (a process of Ray's, which fixloop's shared
sandbox cannot reach: unlike the language server's and the local workers', these jobs do not
share one), and returns the result as JSON. Ray retries a task once when its worker process dies
(`max_retries=1`). A job still running at its deadline is cancelled and reported as timed out.
At most `workers` jobs are in flight, so a shared cluster is not flooded.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from fixloop.sweep.model import Job, JobResult, Verdict

ResultCallback = Callable[[JobResult], None]
PROBE_SECONDS = 5.0
POLL_SECONDS = 0.25
RETRIES = 1


class RayUnavailable(Exception):
    """Ray is not installed, or the cluster cannot be reached: the message says which."""


def import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise RayUnavailable(
            f"--executor ray needs Ray, which is not installed ({exc}); "
            "pip install 'fixloop[ray]' (or use --executor local)"
        ) from None
    return ray


def _probe(address: str) -> None:
    """Fail fast when nothing listens at host:port (Ray itself retries for a long time)."""
    plain = address.removeprefix("ray://")
    host, _, port = plain.rpartition(":")
    if not host or not port.isdigit():
        raise RayUnavailable(f"the Ray address {address!r} is not HOST:PORT")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=PROBE_SECONDS):
            pass
    except OSError as exc:
        raise RayUnavailable(f"no Ray cluster answers at {address}: {exc}") from None


def check_cluster(address: str | None) -> None:
    """Before any work: Ray is importable and something answers at the cluster's address."""
    import_ray()
    address = address or os.environ.get("RAY_ADDRESS") or None
    if address and address != "auto":
        _probe(address)


def connect(address: str | None) -> Any:
    """Join the cluster at `address` (or RAY_ADDRESS); without one, start a private one."""
    ray = import_ray()
    address = address or os.environ.get("RAY_ADDRESS") or None
    if address and address != "auto":
        _probe(address)
    options: dict[str, Any] = {"log_to_driver": False, "configure_logging": False}
    if not address:
        options.update(include_dashboard=False)
    elif address.removeprefix("ray://").startswith("127."):
        # A cluster on this machine's loopback: the driver joins it there too, instead of by
        # the machine's network address (which Ray substitutes for 127.0.0.1 and localhost).
        options.update(_node_ip_address=address.removeprefix("ray://").rpartition(":")[0])
    try:
        ray.init(address=address, **options)
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError here
        raise RayUnavailable(f"cannot join the Ray cluster at {address}: {exc}") from None
    return ray


def _run_remote(snapshot: bytes, job: dict[str, Any]) -> dict[str, Any]:
    """The task's body on a Ray worker: run the job there and return the result as JSON."""
    import ray

    from fixloop.sweep.runner import run_job

    context = ray.get_runtime_context()
    node = f"ray:{context.get_node_id()[:12]}@{socket.gethostname()}"
    return run_job(snapshot, Job.from_json(job), node=node).to_json()


class RayExecutor:
    """Runs jobs as Ray tasks, `workers` at a time (default: the cluster's CPUs)."""

    name = "ray"

    def __init__(self, address: str | None, workers: int | None, deadline: float) -> None:
        self.address = address
        self.workers = workers
        self.deadline = deadline
        self.stop = threading.Event()
        self.nodes = 0

    def run_blocking(
        self, snapshot: bytes, jobs: Sequence[Job], on_result: ResultCallback
    ) -> list[JobResult]:
        """Blocking: the caller runs it in a thread; `stop` cancels what is in flight."""
        ray = connect(self.address)
        try:
            return self._run(ray, snapshot, jobs, on_result)
        finally:
            ray.shutdown()

    def _run(
        self, ray: Any, snapshot: bytes, jobs: Sequence[Job], on_result: ResultCallback
    ) -> list[JobResult]:
        self.nodes = len([n for n in ray.nodes() if n.get("Alive")])
        limit = self.workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        task = ray.remote(num_cpus=1, max_retries=RETRIES, retry_exceptions=False)(_run_remote)
        snapshot_ref = ray.put(snapshot)
        waiting = list(jobs)
        in_flight: dict[Any, tuple[Job, float]] = {}
        results: list[JobResult] = []

        def finish(result: JobResult) -> None:
            results.append(result)
            on_result(result)

        while waiting or in_flight:
            if self.stop.is_set():
                for ref in in_flight:
                    ray.cancel(ref, force=True)
                break
            while waiting and len(in_flight) < limit:
                job = waiting.pop(0)
                in_flight[task.remote(snapshot_ref, job.to_json())] = (job, time.monotonic())
            ready, _ = ray.wait(list(in_flight), num_returns=1, timeout=POLL_SECONDS)
            for ref in ready:
                job, started = in_flight.pop(ref)
                trip = int((time.monotonic() - started) * 1000)
                finish(replace(self._collect(ray, ref, job), round_trip_ms=trip))
            now = time.monotonic()
            for ref, (job, started) in list(in_flight.items()):
                if now - started > self.deadline:
                    ray.cancel(ref, force=True)
                    del in_flight[ref]
                    finish(
                        JobResult.stopped(
                            job,
                            Verdict.TIMED_OUT,
                            self._timeout_reason(),
                            seconds=now - started,
                            node="ray",
                        )
                    )
        order = {job.id: index for index, job in enumerate(jobs)}
        return sorted(results, key=lambda r: order.get(r.job_id, len(order)))

    def _collect(self, ray: Any, ref: Any, job: Job) -> JobResult:
        try:
            return JobResult.from_json(ray.get(ref))
        except ray.exceptions.WorkerCrashedError as exc:
            reason = f"the Ray worker died twice (retried once): {type(exc).__name__}"
        except ray.exceptions.TaskCancelledError:
            reason = "cancelled"
        except ray.exceptions.RayError as exc:
            reason = f"{type(exc).__name__}: {str(exc)[-500:]}"
        return JobResult.stopped(job, Verdict.ERROR, reason, node="ray")

    def _timeout_reason(self) -> str:
        return f"stopped after {self.deadline:g}s: the job ran past its budget"
