"""The scratch side of the local and bwrap backends: a private base directory per sandbox,
a pool of project copies per project root, and the long-lived processes to kill on close.

A base directory carries its owner's pid in its name, so a sandbox opened later removes what a
killed server left behind. A sandbox shared by a whole session (`share()`) keeps its copies in
step with the project on disk and keeps zygotes waiting from its first run on.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fixloop.sandbox.cleanup import shielded
from fixloop.sandbox.processtree import settle_background
from fixloop.sandbox.workspace import TreePool, _force_remove
from fixloop.sandbox.zygote import ZygotePool


def _reap_stale_dirs(directory: Path, prefix: str) -> None:
    """Delete scratch directories whose owning process is gone (killed before close())."""
    try:
        entries = [e for e in os.scandir(directory) if e.name.startswith(prefix)]
    except OSError:
        return
    for entry in entries:
        owner = entry.name[len(prefix) :].split("-", 1)[0]
        if owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
            _force_remove(Path(entry.path))


class ScratchOwner:
    """What the local and bwrap backends share: a private base dir, tree pools per project,
    and the long-lived processes to kill on close."""

    _zygotes: ZygotePool

    def __init__(self, prefix: str, directory: str | None = None) -> None:
        _reap_stale_dirs(Path(directory or tempfile.gettempdir()), prefix)
        # The owner's pid in the name lets a later sandbox remove what a killed one left.
        self._base = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=directory))
        self._pools: dict[Path, TreePool] = {}
        self._processes: set[Any] = set()
        self._zygotes = ZygotePool()
        self.shared = False  # see `share()`

    def _pool(self, root: Path) -> TreePool:
        key = root.resolve()
        if key not in self._pools:
            self._pools[key] = TreePool(key, self._base / f"project{len(self._pools)}")
            self._pools[key].follow = self.shared
        return self._pools[key]

    def share(self) -> None:
        """From now on many runs over a long time use this sandbox: its copies follow the
        project's changes on disk and its zygote pools keep spares from their first run."""
        self.shared = True
        self._zygotes.eager = True
        for pool in self._pools.values():
            pool.follow = True

    async def close(self) -> None:
        """Kill long-lived processes and zygotes, delete the scratch copies; runs to its end
        even when the caller is cancelled meanwhile."""
        await shielded(self._close())

    async def _close(self) -> None:
        for process in list(self._processes):
            await process.kill()
        self._processes.clear()
        await self._zygotes.close()
        await settle_background()
        for pool in self._pools.values():
            await asyncio.to_thread(pool.remove_all)
        await asyncio.to_thread(shutil.rmtree, self._base, True)
