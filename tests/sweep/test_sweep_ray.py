"""`fixloop sweep --executor ray` on a real Ray cluster this test starts: a head node with 2 CPUs
and a second node joined with `ray start --address`, each with a temporary directory of its own,
on the loopback, stopped at the end by PID (never `ray stop`, which would end other people's
Ray processes). The sweep of the mixed project gives the same verdicts and diffs as the local
executor, and a Ray worker killed in the middle of a job has its job retried to the end."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixloop.sweep.model import JobSettings, Verdict
from fixloop.sweep.raycluster import LocalRayCluster
from fixloop.sweep.run import SweepOptions, run_sweep
from proctree import descendants

from .conftest import MIXED_ARGS, SANDBOX, CliResult, Swept, sweep_env
from .projects import assemble
from .test_sweep_local import SLOW_PROJECT

pytest.importorskip("ray", reason="the ray extra is installed by scripts/setup.sh")
pytestmark = pytest.mark.slow
TASK = "_run_remote"  # the Ray task's function: its worker's process title is ray::_run_remote


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRayCluster]:
    state = tmp_path_factory.mktemp("ray-state")
    # Ray's workers inherit the nodes' environment: transcripts go to a private state dir.
    previous = os.environ.get("FIXLOOP_STATE_DIR")
    os.environ["FIXLOOP_STATE_DIR"] = str(state)
    try:
        with LocalRayCluster(head_cpus=2, extra_nodes=1, extra_cpus=1) as started:
            yield started
    finally:
        if previous is None:
            os.environ.pop("FIXLOOP_STATE_DIR", None)
        else:
            os.environ["FIXLOOP_STATE_DIR"] = previous


@pytest.fixture(scope="module")
def ray_sweep(
    cluster: LocalRayCluster, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Swept, int]:
    """The mixed project swept on Ray; one worker is killed by PID in the middle of a job."""
    base = tmp_path_factory.mktemp("ray-sweep")
    project = assemble(base / "project")
    out = base / "out"
    argv = [sys.executable, "-m", "fixloop", "sweep", ".", "--out", str(out)]
    argv += ["--executor", "ray", "--ray-address", cluster.address, *MIXED_ARGS]
    argv += ["--sandbox", SANDBOX]
    process = subprocess.Popen(
        argv,
        cwd=project,
        env=sweep_env(base),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed = 0
    deadline = time.monotonic() + 300
    while not killed and process.poll() is None and time.monotonic() < deadline:
        running = cluster.worker_pids(TASK)
        # Well inside the job: it has unpacked the snapshot and its loop runs code in the
        # sandbox, so the worker has processes of its own below it.
        if running and descendants(running[0]) and running[0] in cluster.worker_pids(TASK):
            os.kill(running[0], signal.SIGKILL)
            killed = running[0]
        time.sleep(0.2)
    stdout, stderr = process.communicate(timeout=900)
    return Swept(project, out, CliResult(process.returncode, stdout, stderr)), killed


def test_ray_gives_the_local_verdicts_and_diffs(
    ray_sweep: tuple[Swept, int], local_sweep: Swept
) -> None:
    swept, _ = ray_sweep
    assert swept.result.code == local_sweep.result.code, swept.result.stderr
    on_ray = [(r["target"], r["tests"], r["verdict"], r["diff"]) for r in swept.results()]
    on_local = [(r["target"], r["tests"], r["verdict"], r["diff"]) for r in local_sweep.results()]
    assert on_ray == on_local
    assert (swept.out / "fixes.patch").read_text() == (local_sweep.out / "fixes.patch").read_text()
    nodes = {r["node"] for r in swept.results()}
    assert all(node.startswith("ray:") for node in nodes)


def test_a_killed_ray_worker_has_its_job_retried(
    ray_sweep: tuple[Swept, int], cluster: LocalRayCluster
) -> None:
    swept, killed = ray_sweep
    assert killed, "no Ray worker was seen running a job"
    results = swept.results()
    # Every job came back with a verdict of its own, none lost with the killed process.
    assert all(r["verdict"] in ("fixed", "not_fixed") for r in results), results
    assert str(killed) not in {r["worker"] for r in results}
    assert "fixed" in swept.result.stderr and "retried" not in swept.result.stderr
    assert cluster.pids(), "the cluster itself keeps running"


def test_a_ray_job_past_its_deadline_is_reported_as_timed_out(
    cluster: LocalRayCluster, tmp_path: Path
) -> None:
    for name, text in SLOW_PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    options = SweepOptions(
        root=tmp_path,
        settings=JobSettings(engine="offline", sandbox=SANDBOX, budget=1.0),
        executor="ray",
        ray_address=cluster.address,
        workers=1,
        job_grace=1.0,
    )
    report = asyncio.run(run_sweep(options))
    (result,) = report.results
    assert result.verdict is Verdict.TIMED_OUT and "ran past its budget" in result.reason
    assert report.nodes == 2


def test_the_sweep_names_the_node_of_each_job(ray_sweep: tuple[Swept, int]) -> None:
    swept, _ = ray_sweep
    summary = (swept.out / "summary.md").read_text()
    for r in swept.results():
        assert r["node"] in summary
    assert "on `ray` (2 workers, 2 node(s))" in summary
    assert json.loads((swept.out / "results.sarif").read_text())["version"] == "2.1.0"
