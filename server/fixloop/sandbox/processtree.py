"""Signal and kill every process one sandboxed run started, then collect and forget its cgroup.

A run's tree is its process group, every member of its `pids` cgroup when the machine has one,
and (without a cgroup) every process carrying the run's environment marker, which catches
daemons that left the group with `setsid`. Cgroup removal happens in the background;
`settle_background` waits for it when a sandbox closes.
"""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import dataclass

from fixloop.sandbox.cgroup import PidsCgroup
from fixloop.sandbox.piped import PipedProcess
from fixloop.sandbox.runenv import MARKER_VAR


def marked_pids(marker: str, variable: str = MARKER_VAR) -> list[int]:
    """Processes whose initial environment has `variable=marker` (found via /proc)."""
    needle = f"{variable}={marker}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as handle:
                if needle in handle.read().split(b"\0"):
                    found.append(int(entry))
        except OSError:
            continue
    return found


@dataclass
class ProcessTree:
    """Everything needed to signal every process one run started."""

    pid: int
    marker: str
    cgroup: PidsCgroup | None
    scan_marker: bool = True
    reaped: bool = False  # the cgroup was found empty after the run

    def signal_all(self, sig: int) -> None:
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        members = self.cgroup.pids() if self.cgroup is not None else []
        if self.cgroup is None and self.scan_marker:
            members = marked_pids(self.marker)
        for pid in members:
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass

    def kill_everything(self) -> None:
        """SIGKILL the group and every member; with a cgroup this also catches escapees."""
        self.signal_all(signal.SIGKILL)
        if self.cgroup is not None:
            self.cgroup.kill_all()

    def release(self) -> None:
        self.kill_everything()
        if self.cgroup is not None:
            self.cgroup.remove()

    async def reap(self) -> None:
        """`kill_everything` without leaving the event loop in the common case: a cgroup
        that is already empty needs one read, not a thread."""
        if self.cgroup is not None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if self.cgroup.empty():
                self.reaped = True
                return
        await asyncio.to_thread(self.kill_everything)
        # An emptied cgroup stays empty: nothing is left in it to fork.
        self.reaped = self.cgroup is not None and self.cgroup.empty()

    async def destroy(self, process: PipedProcess) -> None:
        """Kill the whole tree, collect the main process and drop the cgroup (clean-up after a
        cancel or a failure; call it through `shielded` so a second cancel cannot cut it short)."""
        self.reaped = False
        await asyncio.to_thread(self.kill_everything)
        await process.wait()
        if process.stdin is not None:
            process.stdin.close()
        await self.finish()

    async def finish(self) -> None:
        """Reap (unless the cgroup was emptied already), then drop the cgroup in the
        background (nothing is left in it to wait for)."""
        if not self.reaped:
            await self.reap()
        if self.cgroup is not None:
            future = asyncio.get_running_loop().run_in_executor(None, self.cgroup.remove)
            _BACKGROUND.add(future)
            future.add_done_callback(_BACKGROUND.discard)


_BACKGROUND: set[asyncio.Future[None]] = set()


async def settle_background() -> None:
    """Wait for this event loop's background cgroup removals (called when a sandbox closes).

    Sandboxes of other event loops (a bench or a gate runs loops in threads, one after another)
    may have removals pending too: awaiting their futures here would raise, and they are their
    own loop's to wait for. Those of a loop that has closed can never settle and are dropped."""
    loop = asyncio.get_running_loop()
    _BACKGROUND.difference_update([f for f in _BACKGROUND if f.get_loop().is_closed()])
    mine = [future for future in _BACKGROUND if future.get_loop() is loop]
    if mine:
        await asyncio.gather(*mine, return_exceptions=True)
