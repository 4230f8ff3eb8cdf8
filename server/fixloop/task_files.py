"""What a task produces: its result, the file names it may use, and saving them on the host.

A task's program runs in a sandbox and its files come back as bytes (`ProducedFile`); nothing
is written on the host until `save_outputs` puts the final script and those files into the
output directory the user named, and only under names `safe_relative_name` accepts (no absolute
path, no `..`, no option-like or odd characters). `expected_outputs` reads from the task's
words which files the run must create.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

OUTPUT_SUFFIXES = (
    "txt",
    "csv",
    "json",
    "md",
    "png",
    "jpg",
    "svg",
    "html",
    "xlsx",
    "pdf",
    "log",
    "tsv",
    "xml",
    "yaml",
)


@dataclass(frozen=True)
class ProducedFile:
    name: str  # relative POSIX path inside the scratch directory
    data: bytes

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class TaskResult:
    solved: bool
    script_name: str
    script: str | None  # the final program (the last one run)
    files: tuple[ProducedFile, ...]
    output: str  # stdout + stderr of the last run, without the runner's manifest
    reason: str  # why it stopped unsolved, "" when solved
    turns: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    sandbox: str = ""
    skipped: tuple[str, ...] = field(default=())  # produced files too large to bring back
    written: tuple[Path, ...] = field(default=())  # host paths, when solve_task got an out_dir
    model_seconds: float = 0.0  # time spent waiting for the model (the rest is fixloop's overhead)
    warm_runs: int = 0  # programs run by the warm worker (a fork each)
    cold_runs: int = 0  # programs run as a fresh sandbox run (shell blocks, no warm worker)
    transcript: str | None = None  # JSON-lines record of every turn, outside the workspace


def safe_relative_name(name: str, *, max_length: int = 255) -> PurePosixPath:
    """A model- or program-proposed file name that stays inside its directory, or ValueError."""
    if not name or len(name) > max_length or any(c in name for c in "\x00\n\r"):
        raise ValueError(f"unusable file name {name[:80]!r}")
    pure = PurePosixPath(name)
    if pure.is_absolute() or any(part in ("..", "") or part.startswith("-") for part in pure.parts):
        raise ValueError(f"file name must stay inside the scratch directory: {name[:80]!r}")
    if not re.fullmatch(r"[\w.\- /]+", name):
        raise ValueError(f"file name has characters that are not allowed: {name[:80]!r}")
    return pure


def expected_outputs(task: str, inputs: Sequence[str]) -> tuple[str, ...]:
    """File names the task text asks to produce (names with an output suffix that are not inputs)."""
    pattern = re.compile(rf"\b([\w\-/]+\.(?:{'|'.join(OUTPUT_SUFFIXES)}))\b", re.I)
    names = []
    for match in pattern.finditer(task):
        name = match.group(1)
        if name not in inputs and Path(name).name not in inputs and name not in names:
            names.append(name)
    return tuple(names)


def save_outputs(result: TaskResult, out_dir: Path) -> list[Path]:
    """Write the final script and the produced files into `out_dir`; return what was written."""
    written: list[Path] = []
    entries = [(result.script_name, (result.script or "").encode())] if result.script else []
    entries += [(f.name, f.data) for f in result.files]
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in entries:
        try:
            relative = safe_relative_name(name, max_length=1024)
        except ValueError:
            continue  # a program-created name we will not write on the host
        target = out_dir.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written
