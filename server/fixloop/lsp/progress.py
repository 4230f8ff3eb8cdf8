"""Server-initiated work-done progress that degrades to nothing for clients without support.

`LoopProgress` creates a token with `window/workDoneProgress/create`, sends begin, one report
per loop step and end. If the client lacks `window.workDoneProgress`, refuses the token or does
not answer, every call becomes a no-op and the work goes on. When the client cancels the
progress (the user's Cancel button), `on_cancel` runs, which cancels the loop.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any

from lsprotocol import types

log = logging.getLogger(__name__)
_CREATE_TIMEOUT_SECONDS = 5.0


class LoopProgress:
    def __init__(
        self, server: Any, title: str, on_cancel: Callable[[], None] | None = None
    ) -> None:
        self._server = server
        self._title = title
        self._on_cancel = on_cancel
        self._token: str | None = None
        self.reports = 0

    def _supported(self) -> bool:
        window = getattr(self._server.client_capabilities, "window", None)
        return bool(window and window.work_done_progress)

    async def begin(self, message: str = "") -> None:
        if not self._supported():
            return
        token = f"fixloop-{uuid.uuid4()}"
        progress = self._server.work_done_progress
        try:
            await asyncio.wait_for(progress.create_async(token), _CREATE_TIMEOUT_SECONDS)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the client refused or ignored it: carry on without progress
            log.info("work done progress unavailable: %s", exc)
            return
        self._token = token
        cancelled = progress.tokens.get(token)
        if cancelled is not None and self._on_cancel is not None:
            on_cancel = self._on_cancel
            cancelled.add_done_callback(lambda future: future.cancelled() and on_cancel())
        progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title=self._title, message=message or None, cancellable=True
            ),
        )

    def report(self, message: str) -> None:
        self.reports += 1
        if self._token is not None:
            self._server.work_done_progress.report(
                token=self._token, value=types.WorkDoneProgressReport(message=message[:200])
            )

    def end(self, message: str) -> None:
        if self._token is None:
            return
        token, self._token = self._token, None
        progress = self._server.work_done_progress
        progress.end(token, types.WorkDoneProgressEnd(message=message[:200]))
        progress.tokens.pop(token, None)
