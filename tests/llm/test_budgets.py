"""Budgets and cancellation: turns, tokens and wall time stop a conversation; cancelling stops the
model call and leaves no sandbox process behind (fix loop and task mode)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from fixloop.fixes import FixRequest
from fixloop.loop import run_fix
from fixloop.repair.llm.task_programs import WORKER
from fixloop.settings import ModelConfig, Settings
from fixloop.spans import LineRange
from fixloop.task import solve_task
from proctree import below, poll

from .scripted_server import Reply, ScriptedServer
from .test_fix import STATS, TESTS, WRONG, transcript_text

BROKEN = "```python\nprint(undefined_name)\n```"


def _children_with(marker: str) -> list[str]:
    """Live processes below this test process whose command line carries `marker`.

    Only this process's descendants count: other suites on a shared machine run workers with
    the same command line, and a scan of all of /proc would count theirs.
    """
    return [str(p.pid) for p in below(os.getpid()) if not p.zombie and marker in p.command]


async def _settled(marker: str) -> list[str]:
    """Processes carrying `marker`, once killed ones had time to be reaped (bounded)."""
    await poll(lambda: not _children_with(marker), 60)
    return _children_with(marker)


async def test_token_budget_stops_task_mode(
    scripted: ScriptedServer, model_env: ModelConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIXLOOP_TOKEN_BUDGET", "250")
    scripted.fallback = lambda request: Reply(BROKEN)
    result = await solve_task(
        "print a greeting", settings=Settings(sandbox="local"), model=model_env
    )
    assert not result.solved and "token budget (250)" in result.reason
    assert len(scripted.requests) == 2 and result.tokens == 300


async def test_wall_time_budget_stops_a_slow_model(
    scripted: ScriptedServer, model_env: ModelConfig
) -> None:
    scripted.push(Reply(BROKEN), Reply("```python\nprint(1)\n```", delay=3.0))
    result = await solve_task(
        "print a number", settings=Settings(sandbox="local", budget=1.5), model=model_env
    )
    assert not result.solved and "wall-time budget" in result.reason


async def test_token_budget_stops_the_fix_engine(
    scripted: ScriptedServer,
    model_env: ModelConfig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FIXLOOP_TOKEN_BUDGET", "400")
    (tmp_path / "stats.py").write_text(STATS)
    (tmp_path / "test_stats.py").write_text(TESTS)
    scripted.fallback = lambda request: Reply(WRONG.replace("+ 1", f"+ {len(scripted.requests)}"))
    request = FixRequest(
        path=Path("stats.py"),
        root=tmp_path,
        settings=Settings(engine="llm", sandbox="local"),
        line_range=LineRange(1, 2),
        tests=("test_stats.py",),
    )
    result = await run_fix(request)
    assert (
        not result.verified and len(scripted.requests) == 3
    )  # 150 tokens a turn: 450 >= 400 after 3
    assert "token budget (400)" in transcript_text(result)


async def test_cancelling_a_fix_stops_the_model_call(
    scripted: ScriptedServer, model_env: ModelConfig, tmp_path: Path
) -> None:
    (tmp_path / "stats.py").write_text(STATS)
    (tmp_path / "test_stats.py").write_text(TESTS)
    scripted.push(Reply(WRONG, delay=30.0))
    request = FixRequest(
        path=Path("stats.py"),
        root=tmp_path,
        settings=Settings(engine="llm", sandbox="local"),
        line_range=LineRange(1, 2),
        tests=("test_stats.py",),
    )
    task = asyncio.ensure_future(run_fix(request))
    assert await asyncio.to_thread(scripted.request_seen.wait, 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 20)
    assert await _settled(str(tmp_path)) == []


async def test_cancelling_a_task_kills_the_warm_worker(
    scripted: ScriptedServer, model_env: ModelConfig
) -> None:
    # Workers already running belong to the shared sandbox of this process (a spare started for
    # the next task when an earlier test's task ended): they are not this task's to kill.
    before = set(_children_with(WORKER))
    scripted.push(Reply(BROKEN), Reply("```python\nprint(1)\n```", delay=30.0))
    task = asyncio.ensure_future(
        solve_task("print a number", settings=Settings(sandbox="bwrap"), model=model_env)
    )
    assert await poll(lambda: len(scripted.requests) >= 2, 30), "turn 1 never ended"
    # The second model call is in flight, so the task's worker ran turn 1.
    assert len(scripted.requests) == 2
    assert await poll(lambda: bool(set(_children_with(WORKER)) - before), 10)
    own = set(_children_with(WORKER)) - before
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 20)
    # A spare for the next task may start as this one ends; the task's own worker must be gone.
    assert await poll(lambda: not (set(_children_with(WORKER)) & own), 5), sorted(own)
