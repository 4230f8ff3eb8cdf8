"""The sandbox side of one task: the shared sandbox and a program executor, opened early.

`TaskRuns` starts opening them as soon as the task starts, so the sandbox and the warm worker
come up while the model writes its first answer; `get()` waits for them. `package_directory`
gives a task with the network on a package directory of its own, removed with the task.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from fixloop.settings import Settings

if TYPE_CHECKING:
    from fixloop.repair.llm.executor import ProgramExecutor


@contextlib.contextmanager
def package_directory(settings: Settings) -> Iterator[Path | None]:
    """With the network on, the task's own package directory (`pip install` puts packages
    there, never into the user's interpreter), removed with the task; else None."""
    if not settings.network:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="fixloop-task-packages-") as packages:
        yield Path(packages)


class TaskRuns:
    """Opens the sandbox and the program executor in the background; `get()` waits for them.

    The sandbox is the process's shared one (`fixloop.sandbox.shared`): opening it and starting
    the warm worker are paid once per process, not per task, and the worker for the next task
    starts when this one ends. Each task still gets its own worker, scratch copy, HOME and TMPDIR.
    """

    def __init__(self, settings: Settings, root: Path, packages: Path | None) -> None:
        self.settings = settings
        self.root = root
        self.packages = packages
        self._opening: asyncio.Future[ProgramExecutor] = asyncio.ensure_future(self._open())

    async def _open(self) -> ProgramExecutor:
        from fixloop.execution import acquire_shared
        from fixloop.repair.llm.executor import ProgramExecutor
        from fixloop.sandbox.shared import release

        settings = self.settings
        # The process's shared sandbox, under the same key as the server's (so in the server,
        # the very sandbox Run File uses), but not resident: a CLI task may let it close.
        sandbox = await acquire_shared(settings, resident=False)
        try:
            executor = ProgramExecutor(
                sandbox, self.root, settings, shared=True, packages=self.packages
            )
            executor.prepare()
        except BaseException:
            release(sandbox)
            raise
        return executor

    async def get(self) -> ProgramExecutor:
        return await self._opening

    def _opened(self) -> ProgramExecutor | None:
        if (
            self._opening.done()
            and not self._opening.cancelled()
            and self._opening.exception() is None
        ):
            return self._opening.result()
        return None

    def sandbox_name(self) -> str:
        executor = self._opened()
        return executor.sandbox.name if executor else self.settings.sandbox

    def counts(self) -> tuple[int, int]:
        executor = self._opened()
        return (executor.warm_runs, executor.cold_runs) if executor else (0, 0)

    async def close(self, *, wait: bool = False) -> None:
        """Kill this task's worker (in the background unless `wait`) and release the sandbox."""
        from fixloop.sandbox.shared import defer, release

        if not self._opening.done():
            self._opening.cancel()
        try:
            executor = await self._opening
        except (asyncio.CancelledError, Exception):
            return  # never opened: nothing to release (an open error was reported by get())
        try:
            if wait:
                await executor.close()
            else:
                defer(
                    executor.sandbox, executor.close()
                )  # nobody waits for the kill of a finished task
        finally:
            release(executor.sandbox, roots=executor.roots_used)
