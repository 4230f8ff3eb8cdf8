"""The sandbox contract: what a run asks for (`RunSpec`, `Limits`) and what it reports (`RunResult`).

Every backend (local, bwrap, docker) implements `Sandbox` and returns the same `RunResult`, so the
oracle, the repair loop, the CLI and the language server never care which backend ran the code.
These are plain frozen values with no dependency on pygls, autogen or docker; the backends and
their AutoGen `CodeExecutor` adapters live in sibling modules and are imported only when chosen.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

MIB = 1024 * 1024


class SandboxUnavailable(RuntimeError):
    """The chosen backend cannot run here; the message names the cause and the remedy."""


class Status(str, enum.Enum):
    """How a run ended. `value` is the word used in JSON and in the human summary."""

    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    OUTPUT_LIMIT = "output_limit"
    KILLED = "killed"
    SANDBOX_ERROR = "sandbox_error"


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run. Defaults are the documented user defaults."""

    wall_seconds: float = 10.0
    memory_mb: int = 1024
    processes: int = 256
    output_bytes: int = 1 * MIB
    file_size_mb: int = 64
    open_files: int = 256
    scratch_mb: int = 256
    # A SIGTERM'd tree gets this long before SIGKILL.
    kill_grace_seconds: float = 0.5


@dataclass(frozen=True)
class Frame:
    """One traceback frame. `file` is relative to the run's root when it lies inside it."""

    file: str
    line: int
    function: str


@dataclass(frozen=True)
class ErrorInfo:
    """The uncaught exception a run ended with, parsed from its traceback."""

    type: str
    message: str
    file: str | None
    line: int | None
    frames: tuple[Frame, ...] = ()


@dataclass(frozen=True)
class RunSpec:
    """What to run.

    `argv` is the argument list *after* the interpreter when `use_python` is true (for example
    `("script.py", "a1")` or `("-m", "pytest", "-q", "tests/test_x.py")`); when false it is a
    full command and the sandbox's interpreter comes first on `PATH` as `python`/`python3`.
    `root` is the user's project: it is the working directory inside the sandbox, never
    written (`packages` is the one directory a run may write that outlives it). `overlay` maps paths relative to `root` to text that replaces (or adds to) the
    file on disk for this run only: unsaved editor buffers, patched candidates, helper scripts.
    """

    argv: tuple[str, ...]
    root: Path
    limits: Limits = field(default_factory=Limits)
    use_python: bool = True
    overlay: Mapping[str, str] = field(default_factory=dict)
    network: bool = False
    # Extra environment entries the caller vouches for (never secrets); merged onto the allow-list.
    env: Mapping[str, str] = field(default_factory=dict)
    stdin: bytes = b""
    # A host directory the caller creates, keeps across its runs and removes: the run may write
    # it, `pip install` puts packages there and it is on the import path (local and bwrap; on
    # docker, whose engine may be elsewhere, the run gets a package directory of its own).
    packages: Path | None = None
    # Files (relative to root) the run must leave as they are: the tests. Where the run could
    # write its copy of the project (local), they are compared with the project's files before
    # and after the run (`RunResult.tampered`); elsewhere the copy is read-only to the run.
    pristine: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunResult:
    """The outcome of one run, identical in shape for every backend."""

    status: Status
    exit_code: int | None
    stdout: str
    stderr: str
    truncated: bool
    duration_ms: int
    sandbox: str
    error: ErrorInfo | None = None
    # Which limit stopped the run: "wall", "cpu", "memory", "output", "file_size", "processes".
    limit_hit: str | None = None
    # False for the unprotected `local` backend; the CLI and UI warn when false.
    protected: bool = True
    # Free text for the user, e.g. why the sandbox failed or that `local` is unprotected.
    note: str = ""
    # Files of `RunSpec.pristine` the run changed (restored since): a run that did this cheated.
    tampered: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    def to_json(self) -> dict[str, Any]:
        """The documented `fixloop run --json` object (plus `limit_hit`, `protected`, `note`)."""
        data = asdict(self)
        data["status"] = self.status.value
        return data


@runtime_checkable
class SandboxProcess(Protocol):
    """A long-lived process inside a sandbox with piped stdin/stdout (the warm repair worker)."""

    stdin: asyncio.StreamWriter
    stdout: asyncio.StreamReader

    def changed_files(self) -> tuple[str, ...]:
        """Files of the spec's `pristine` that differ from the project's now (each restored):
        what the process changed since the last call. Always () where it cannot write them."""
        ...

    async def kill(self) -> None: ...

    async def wait(self) -> int | None: ...


@runtime_checkable
class Sandbox(Protocol):
    """One backend instance, used for one loop. `close()` releases containers and scratch dirs."""

    name: str
    protected: bool

    async def run(self, spec: RunSpec) -> RunResult: ...

    async def start_process(self, spec: RunSpec) -> SandboxProcess: ...

    def share(self) -> None:
        """Many runs over a long time will use this sandbox (`fixloop.sandbox.shared`): follow
        the project's changes on disk between runs and keep spares from the first run on."""
        ...

    async def warm(self, spec: RunSpec) -> None:
        """Get ready for runs like `spec` before the first one: copy its project and start
        the spares such runs take (a shared sandbox, right after it opens)."""
        ...

    async def close(self) -> None: ...


def track_process(processes: set[Any], process: Any) -> None:
    """Remember a long-lived process in `processes` (what a sandbox kills when it closes)
    until the process is killed; it then removes itself through its `forget` hook."""
    processes.add(process)
    process.forget = lambda: processes.discard(process)
