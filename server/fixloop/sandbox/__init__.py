"""Sandboxes that run untrusted, broken Python code: `open_sandbox` picks and opens a backend.

Backends: `bwrap` (bubblewrap namespaces), `docker` (a locked-down container, local or remote
engine via DOCKER_HOST) and `local` (limits only, unprotected). `auto` takes the strongest one
available in that order and says in every result which one ran; naming a backend explicitly
fails closed with `SandboxUnavailable` rather than falling back to a weaker one. Backends are
imported only when chosen, so the docker SDK is loaded only for docker.
"""

from __future__ import annotations

from fixloop.sandbox.base import (
    MIB,
    ErrorInfo,
    Frame,
    Limits,
    RunResult,
    RunSpec,
    Sandbox,
    SandboxProcess,
    SandboxUnavailable,
    Status,
)

KINDS = ("auto", "local", "bwrap", "docker")

__all__ = [
    "KINDS",
    "MIB",
    "ErrorInfo",
    "Frame",
    "Limits",
    "RunResult",
    "RunSpec",
    "Sandbox",
    "SandboxProcess",
    "SandboxUnavailable",
    "Status",
    "open_sandbox",
]


async def open_sandbox(
    kind: str = "auto",
    *,
    python: str | None = None,
    image: str | None = None,
    limits: Limits | None = None,
) -> Sandbox:
    """Open a backend. `python` is the interpreter for user code (local/bwrap; default: ours);
    `image` the Docker image (default: Settings().docker_image); `limits` sizes what a backend
    fixes when it opens (the docker container's memory, pids and /tmp), default `Limits()`;
    each run's own limits still apply within it. Raises SandboxUnavailable."""
    if kind not in KINDS:
        raise SandboxUnavailable(f"unknown sandbox {kind!r}; choose one of {', '.join(KINDS)}")
    if python is not None:
        _check_python(python)
    if kind == "local":
        import asyncio

        from fixloop.sandbox.local import LocalSandbox

        return await asyncio.to_thread(LocalSandbox, python)
    if kind == "bwrap":
        from fixloop.sandbox.bwrap import BwrapSandbox

        return await BwrapSandbox.open(python=python)
    if kind == "docker":
        from fixloop.sandbox.dockerbox import DockerSandbox

        return await DockerSandbox.open(image=image, limits=limits)
    return await _open_auto(python=python, image=image, limits=limits)


async def _open_auto(*, python: str | None, image: str | None, limits: Limits | None) -> Sandbox:
    """bwrap, then docker, then local; the reasons for skipping are kept for the local note."""
    reasons: list[str] = []
    try:
        from fixloop.sandbox.bwrap import BwrapSandbox

        return await BwrapSandbox.open(python=python)
    except SandboxUnavailable as exc:
        reasons.append(str(exc))
    try:
        from fixloop.sandbox.dockerbox import DockerSandbox

        return await DockerSandbox.open(image=image, quick_check=True, limits=limits)
    except SandboxUnavailable as exc:
        reasons.append(str(exc))
    import asyncio

    from fixloop.sandbox.local import LocalSandbox

    sandbox = await asyncio.to_thread(LocalSandbox, python)
    sandbox.note = (
        "auto chose the local sandbox because no isolating sandbox is available ("
        + "; ".join(reasons)
        + "). "
        + sandbox.note
    )
    return sandbox


def _check_python(python: str) -> None:
    import os

    if "\x00" in python or not os.path.isabs(python):
        raise SandboxUnavailable(f"--python must be an absolute path to an interpreter: {python!r}")
    if not (os.path.isfile(python) and os.access(python, os.X_OK)):
        raise SandboxUnavailable(f"--python {python} is not an executable file")
