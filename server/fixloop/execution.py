"""Run one Python file of a project in the sandbox the settings choose: the core of `fixloop run`.

`run_file` opens the sandbox (`Settings.sandbox`, `python`, `docker_image`), runs the file with
the project root as working directory and an unsaved editor buffer (`source`) as overlay, and
closes the sandbox again. A sandbox that cannot be opened is reported as a `RunResult` with
status `sandbox_error` and the reason in `note`, so the CLI and the language server show one
clear message instead of a stack trace. Callers that run many programs (the repair loop) open a
sandbox once with `open_sandbox` and use `limits_for` and `file_spec` to build their runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from fixloop.paths import relative_to_root
from fixloop.sandbox import RunResult, RunSpec, SandboxUnavailable, open_sandbox
from fixloop.sandbox.base import Limits
from fixloop.sandbox.process import sandbox_error
from fixloop.settings import Settings

__all__ = ["file_spec", "limits_for", "relative_to_root", "run_file", "sandbox_error"]


def limits_for(settings: Settings, base: Limits | None = None) -> Limits:
    """The run limits the settings ask for (wall seconds and memory); the rest stay default."""
    return replace(base or Limits(), wall_seconds=settings.timeout, memory_mb=settings.memory)


def file_spec(
    path: str | Path,
    *,
    root: Path,
    settings: Settings,
    source: str | None = None,
    args: Sequence[str] = (),
    overlay: Mapping[str, str] | None = None,
    limits: Limits | None = None,
) -> RunSpec:
    """The RunSpec that runs `path` like `python path args...` from the project root."""
    relative = relative_to_root(path, root)
    files = dict(overlay or {})
    if source is not None:
        files[relative] = source
    return RunSpec(
        argv=(relative, *args),
        root=root.resolve(),
        limits=limits or limits_for(settings),
        overlay=files,
        network=settings.network,
    )


async def run_file(
    path: str | Path,
    *,
    root: Path,
    settings: Settings,
    source: str | None = None,
    args: Sequence[str] = (),
    limits: Limits | None = None,
) -> RunResult:
    """Run one file in a freshly opened sandbox and close it; see the module docstring."""
    spec = file_spec(path, root=root, settings=settings, source=source, args=args, limits=limits)
    try:
        sandbox = await open_sandbox(
            settings.sandbox,
            python=settings.python or None,
            image=settings.docker_image,
            limits=spec.limits,
        )
    except SandboxUnavailable as exc:
        return sandbox_error(settings.sandbox, str(exc))
    try:
        return await sandbox.run(spec)
    except SandboxUnavailable as exc:
        return sandbox_error(sandbox.name, str(exc))
    finally:
        await sandbox.close()
