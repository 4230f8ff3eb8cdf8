"""The server under load: a cancel storm leaves nothing behind, and many fixes wait in a queue.

Both tests drive a real `fixloop serve` over its pipes and look only at the processes below
that server (through /proc/<pid>/task/*/children), never at every process on the machine.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

from proctree import Proc, below, descendants, poll, rss_kib, settle_below, waiting_spare

from .conftest import SANDBOX
from .rawrpc import RawServer

# Every run sleeps a little, so a loop is still busy when most cancels arrive.
SLOW_BUGGY = (
    "import time\n\n\ndef mean(xs):\n    time.sleep(0.3)\n    return sum(xs) / len(xs)\n\n\n"
    "print(mean([]))\n"
)
CANCELLED = -32800


def open_files(raw: RawServer, folder: Path, stem: str, text: str, count: int) -> list[str]:
    """Write `count` copies of `text` and open each in the server; their uris."""
    uris = []
    for number in range(count):
        path = folder / f"{stem}{number}.py"
        path.write_text(text)
        uris.append(path.as_uri())
        raw.open(path.as_uri(), text)
    return uris


async def test_cancel_storm_leaves_no_process_below_the_server(tmp_path: Path) -> None:
    seed = random.randrange(2**32)
    print(f"cancel storm seed {seed}")
    rng = random.Random(seed)
    raw = await RawServer.start()
    try:
        await raw.initialize(
            tmp_path.as_uri(),
            {"settings": {"sandbox": SANDBOX, "engine": "offline", "timeout": 10, "budget": 30}},
        )
        uris = open_files(raw, tmp_path, "slow", SLOW_BUGGY, 20)
        fixes = [f"fix-{number}" for number in range(20)]
        storm: list[tuple[str, Any]] = [("fix", number) for number in range(20)]
        for _ in range(300):
            if rng.random() < 0.5:
                storm.append(("$/cancelRequest", rng.choice(fixes)))
            else:
                storm.append(("fixloop.cancel", rng.choice([*uris, None])))
        # Shuffled: some cancels come before their request exists, some right behind it
        # (before its work starts), the rest while loops run.
        rng.shuffle(storm)
        cancel_ids = []
        for step, (kind, what) in enumerate(storm):
            if kind == "fix":
                raw.command(fixes[what], "fixloop.fix", {"uri": uris[what], "version": 1})
            elif kind == "$/cancelRequest":
                raw.send({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": what}})
            else:
                cancel_ids.append(f"cancel-{step}")
                raw.command(cancel_ids[-1], "fixloop.cancel", {"uri": what} if what else {})
            if rng.random() < 0.05:
                await asyncio.sleep(rng.uniform(0.0, 0.3))  # let some loops reach their runs
        outcomes = {"request cancelled": 0, "stopped by fixloop.cancel": 0, "finished": 0}
        for msg_id in fixes:
            reply = await raw.response(msg_id, timeout=120)
            if "error" in reply:
                assert reply["error"]["code"] == CANCELLED, reply
                outcomes["request cancelled"] += 1
            elif reply["result"].get("reason") == "cancelled by the user":
                outcomes["stopped by fixloop.cancel"] += 1
            else:
                assert reply["result"]["ok"] is True, reply
                outcomes["finished"] += 1
        for msg_id in cancel_ids:
            assert (await raw.response(msg_id, timeout=60))["result"]["ok"] is True
        print(f"cancel storm: {outcomes}")

        # What may stay is the shared sandbox's spares waiting for the next run, nothing else.
        def only_spares() -> list[Proc]:
            return [p for p in below(raw.process.pid) if not waiting_spare(p)]

        await poll(lambda: not only_spares(), 60)
        assert only_spares() == [], f"left below the server: {only_spares()}"
        # Still answering. (Work whose request was cancelled may still be tidying up its
        # scratch files, so this asks about a document nobody works on.)
        alive = await raw.request(
            "alive",
            "workspace/executeCommand",
            {"command": "fixloop.cancel", "arguments": [{"uri": (tmp_path / "idle.py").as_uri()}]},
        )
        assert alive["result"] == {"ok": True, "cancelled": 0}
        # Shutdown closes the shared sandbox: then nothing at all is left below the server.
        assert (await raw.request("shutdown", "shutdown"))["result"] is None
        left = await settle_below(raw.process.pid, deadline_seconds=60)
        assert left == [], f"left below the server after shutdown: {left}"
        raw.send({"jsonrpc": "2.0", "method": "exit"})
        assert await asyncio.wait_for(raw.process.wait(), 20) == 0
    finally:
        await raw.stop()


BUGGY_MEAN = "def mean(xs):\n    return sum(xs) / len(xs)\n\n\nprint(mean([]))\n"


class Footprint:
    """Samples what runs below the server every 20 ms: open sandboxes, processes, memory."""

    def __init__(self, server_pid: int, scratch: Path) -> None:
        self.server_pid = server_pid
        # Each open local or bwrap sandbox holds one base directory named after the server's
        # pid (bwrap keeps it in /dev/shm when it can): their number is the loops running.
        self.places = [(scratch, f"fixloop-{SANDBOX}-{server_pid}-")]
        self.places.append((Path("/dev/shm"), f"fixloop-{SANDBOX}-{server_pid}-"))
        self.reset()
        self._task = asyncio.ensure_future(self._sample())

    def reset(self) -> None:
        self.sandboxes = self.processes = self.rss_kib = 0

    def open_sandboxes(self) -> int:
        count = 0
        for directory, prefix in self.places:
            try:
                count += sum(1 for entry in os.scandir(directory) if entry.name.startswith(prefix))
            except OSError:
                continue
        return count

    async def _sample(self) -> None:
        while True:
            below_server = descendants(self.server_pid)
            self.sandboxes = max(self.sandboxes, self.open_sandboxes())
            self.processes = max(self.processes, len(below_server))
            self.rss_kib = max(self.rss_kib, rss_kib(below_server))
            await asyncio.sleep(0.02)

    def stop(self) -> None:
        self._task.cancel()


async def test_fifty_fixes_wait_in_the_queue_while_code_actions_stay_answered(
    tmp_path: Path,
) -> None:
    cap = 2
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    workspace = tmp_path / "ws"
    workspace.mkdir()
    raw = await RawServer.start(env={"FIXLOOP_MAX_CONCURRENT": str(cap), "TMPDIR": str(scratch)})
    footprint = Footprint(raw.process.pid, scratch)
    try:
        await raw.initialize(
            workspace.as_uri(),
            {"settings": {"sandbox": SANDBOX, "engine": "offline", "timeout": 10, "budget": 60}},
            capabilities={"window": {"workDoneProgress": True}},
        )
        uris = open_files(raw, workspace, "mean", BUGGY_MEAN, 51)
        # One fix alone first: the footprint of one loop, measured in this same run.
        reply = await raw.request(
            "solo",
            "workspace/executeCommand",
            {"command": "fixloop.fix", "arguments": [{"uri": uris[50], "version": 1}]},
        )
        assert reply["result"]["verified"] is True, reply
        solo = (footprint.sandboxes, footprint.processes, footprint.rss_kib)
        footprint.reset()
        fixes = [f"fix-{number}" for number in range(50)]
        for number, msg_id in enumerate(fixes):
            raw.command(msg_id, "fixloop.fix", {"uri": uris[number], "version": 1})
        # Code actions while the fixes wait: each one answered before the fixes are done.
        latencies = []
        selection = {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}

        def pending() -> bool:
            return not all(raw.responses.get(msg_id) for msg_id in fixes)

        while pending():
            asked = time.monotonic()
            actions = await raw.request(
                f"actions-{len(latencies)}",
                "textDocument/codeAction",
                {
                    "textDocument": {"uri": uris[len(latencies) % 50]},
                    "range": selection,
                    "context": {"diagnostics": []},
                },
            )
            latencies.append(time.monotonic() - asked)
            titles = [action["title"] for action in actions["result"]]
            # Before its fix: the selection's actions; after: the verified fix comes first.
            assert titles[0].startswith(("Debug and fix selection", "Apply verified fix")), titles
            if pending():
                await raw.pump_one(timeout=120)  # paced by the server's own messages
        answered_while_waiting = len(latencies)
        verified = [
            (await raw.response(msg_id, timeout=300))["result"]["verified"] for msg_id in fixes
        ]
    finally:
        footprint.stop()
        await raw.stop()
    queued = {
        note["params"]["token"]
        for note in raw.notifications
        if note["method"] == "$/progress"
        and str(note["params"]["value"].get("message", "")).startswith("queued:")
    }
    print(
        f"queue: cap {cap}; one fix alone: {solo[0]} sandbox, {solo[1]} processes, "
        f"{solo[2] // 1024} MiB; fifty fixes: at most {footprint.sandboxes} sandboxes, "
        f"{footprint.processes} processes, {footprint.rss_kib // 1024} MiB; {len(queued)} "
        f"reported queued; {answered_while_waiting} code actions answered meanwhile, median "
        f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    assert verified == [True] * 50
    assert solo[0] == 1  # one loop opens one sandbox: the measure below counts loops
    assert 1 <= footprint.sandboxes <= cap, footprint.sandboxes
    assert queued, "no fix said it was queued"
    assert answered_while_waiting > 0
    # Bounded by the cap, not by the fifty: twice the cap's worth of lone loops is ample.
    assert footprint.processes <= 2 * cap * max(solo[1], 1), (footprint.processes, solo)
    assert footprint.rss_kib <= 2 * cap * max(solo[2], 1), (footprint.rss_kib, solo)
