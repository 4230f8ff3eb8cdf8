"""How `fixloop sweep` shows its progress: a `rich` progress bar on a terminal, plain lines otherwise.

`progress_display` picks the form: on a terminal with `rich` installed, a bar of jobs done with
the elapsed time, each finished job printed above it; in a pipe, a log file or CI, or without
`rich`, one plain line per stage and per job, `[done/total] verdict: module (...)`. Both take
the `SweepEvent`s `run_sweep` sends; messages pass `for_a_person`, so control characters from a
project's file names or test output are shown escaped.
"""

from __future__ import annotations

import sys
from typing import Any, Protocol, TextIO

from fixloop.cli.terminal import for_a_person
from fixloop.sweep.run import SweepEvent


class ProgressDisplay(Protocol):
    def __call__(self, event: SweepEvent) -> None: ...

    def close(self) -> None: ...


class PlainLines:
    def __init__(self, stream: TextIO, prefix: str = "fixloop sweep: ") -> None:
        self._stream = stream
        self._prefix = prefix

    def __call__(self, event: SweepEvent) -> None:
        head = f"[{event.done}/{event.total}] " if event.kind == "result" else ""
        print(f"{self._prefix}{head}{for_a_person(event.message)}", file=self._stream, flush=True)

    def close(self) -> None:
        return None


class RichBar:
    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._console = Console(file=stream, highlight=False)
        self._progress = Progress(
            TextColumn("[bold]fixloop sweep"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=self._console,
            transient=True,
        )
        self._task: Any = self._progress.add_task("starting", total=None)
        self._progress.start()

    def __call__(self, event: SweepEvent) -> None:
        message = for_a_person(event.message)
        if event.kind == "planned":
            self._progress.update(self._task, total=event.total, completed=event.done)
        if event.kind == "result":
            self._progress.update(self._task, completed=event.done, description="")
            self._console.print(message, markup=False)
        else:
            self._progress.update(self._task, description=message[:60])
            self._console.print(message, markup=False, style="dim")

    def close(self) -> None:
        self._progress.stop()


def progress_display(stream: TextIO | None = None) -> ProgressDisplay:
    out = stream or sys.stderr
    if out.isatty():
        try:
            return RichBar(out)
        except ImportError:
            pass
    return PlainLines(out)
