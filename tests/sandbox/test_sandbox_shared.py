"""The process-wide shared sandboxes: reuse, spares handed out once, idle close, shutdown close.

Real local sandboxes and real worker processes; no timing assertions (the idle timer is set to
a few milliseconds and the test waits for its effect).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from fixloop.sandbox import Limits, RunSpec, Sandbox, SandboxProcess, shared
from proctree import below, poll

WAIT_FOR_STDIN = ("-c", "import sys; sys.stdin.read()")


async def start_reader(sandbox: Sandbox, root: Path) -> SandboxProcess | None:
    return await sandbox.start_process(
        RunSpec(argv=WAIT_FOR_STDIN, root=root, limits=Limits(wall_seconds=5))
    )


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"  # a zombie is as good as dead
    except (OSError, IndexError):
        return False


async def until(condition, what: str, deadline_seconds: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    if not await poll(condition, deadline_seconds, every=0.01):
        raise AssertionError(f"never happened: {what}")


@pytest.fixture(autouse=True)
async def close_shared_sandboxes() -> None:
    yield
    await shared.close_all()


async def test_one_opened_sandbox_per_kind_and_interpreter() -> None:
    first = await shared.acquire("local")
    second = await shared.acquire("local")
    other = await shared.acquire("local", python=sys.executable)
    assert first is second and other is not first
    for sandbox in (first, second, other):
        shared.release(sandbox)


async def test_a_caller_arriving_as_the_open_finishes_shares_the_opened_sandbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The language server meets this at start-up: the settings' warm-up opens the sandbox while
    # a Run Tests asks for it. A caller whose first step runs after the open finished but before
    # the opener resumed once got a second, unregistered sandbox, which its release refused.
    import fixloop.sandbox

    real_open = fixloop.sandbox.open_sandbox
    late: list[asyncio.Task[Sandbox]] = []

    async def open_then_schedule_a_caller(*args, **kwargs):  # type: ignore[no-untyped-def]
        sandbox = await real_open(*args, **kwargs)
        # Runs in the same loop turn as the open's end, before its awaiters resume.
        asyncio.get_running_loop().call_soon(
            lambda: late.append(asyncio.ensure_future(shared.acquire("local")))
        )
        return sandbox

    monkeypatch.setattr(fixloop.sandbox, "open_sandbox", open_then_schedule_a_caller)
    first = await shared.acquire("local")
    await until(lambda: bool(late), "the late caller started")
    second = await late[0]
    assert second is first
    shared.release(first)
    shared.release(second)  # refused ("not acquired") when the late caller opened its own


async def test_spare_is_handed_out_once_and_the_next_starts_on_release() -> None:
    sandbox = await shared.acquire("local")
    empty_root, spare = shared.take_spare(sandbox, "reader", start_reader)
    assert spare is None and empty_root.is_dir() and not any(empty_root.iterdir())
    shared.release(sandbox)  # the last user left: a spare starts for the next one

    again = await shared.acquire("local")
    assert again is sandbox
    _, spare = shared.take_spare(again, "reader", start_reader)
    _, second = shared.take_spare(again, "reader", start_reader)
    assert spare is not None and second is None  # one spare, one taker
    process = await spare
    assert process is not None and alive(process.pid)
    await process.kill()
    shared.release(again)


async def test_close_all_kills_spares_and_deferred_cleanup_finishes(tmp_path: Path) -> None:
    sandbox = await shared.acquire("local")
    _, spare = shared.take_spare(sandbox, "reader", start_reader)
    own = await start_reader(sandbox, tmp_path)
    assert own is not None
    shared.defer(sandbox, own.kill())
    shared.release(sandbox)
    await shared.close_all()
    assert not alive(own.pid)
    fresh = await shared.acquire("local")
    assert fresh is not sandbox  # closed: a new one opens
    shared.release(fresh)


async def test_idle_sandbox_closes_and_its_spare_dies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared, "IDLE_SECONDS", 0.3)
    sandbox = await shared.acquire("local")
    empty_root, _ = shared.take_spare(sandbox, "reader", start_reader)
    shared.release(sandbox)
    await until(lambda: not empty_root.exists(), "the idle sandbox closed")
    fresh = await shared.acquire("local")
    assert fresh is not sandbox
    shared.release(fresh)


async def test_sandbox_is_replaced_after_serving_many_roots(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(shared, "MAX_ROOTS", 2)
    sandbox = await shared.acquire("local")
    shared.release(sandbox, roots={tmp_path / "a", tmp_path / "b"})
    fresh = await shared.acquire("local")
    assert fresh is not sandbox
    shared.release(fresh)


def test_event_loop_shutdown_closes_shared_sandboxes() -> None:
    seen: dict[str, object] = {}

    async def conversation() -> None:
        sandbox = await shared.acquire("local")
        empty_root, _ = shared.take_spare(sandbox, "reader", start_reader)
        seen["empty_root"] = empty_root
        shared.release(sandbox)  # starts a spare and an idle timer; then the loop ends
        await asyncio.sleep(0)

    asyncio.run(conversation())
    root = seen["empty_root"]
    assert isinstance(root, Path) and not root.exists()
    # Nothing of the shared sandbox's workers is left below this process.
    assert [proc for proc in below(os.getpid()) if WAIT_FOR_STDIN[1] in proc.command] == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2.5", 2.5), ("", 60.0), ("abc", 60.0), ("-5", 60.0), ("nan", 60.0), ("inf", 60.0)],
)
def test_idle_setting_falls_back_on_nonsense(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: float
) -> None:
    # Read when the module is imported: a typo must not stop the server from starting.
    monkeypatch.setenv("FIXLOOP_SANDBOX_IDLE", value)
    assert shared._idle_seconds() == expected
