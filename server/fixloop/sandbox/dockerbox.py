"""The `docker` backend (work in progress): until it lands, choosing it fails closed."""

from __future__ import annotations

from fixloop.sandbox.base import RunResult, RunSpec, SandboxProcess, SandboxUnavailable


class DockerSandbox:
    name = "docker"
    protected = True

    @classmethod
    async def open(cls, image: str | None = None, quick_check: bool = False) -> DockerSandbox:
        raise SandboxUnavailable("docker sandbox unavailable: not built in this checkout yet")

    async def run(self, spec: RunSpec) -> RunResult:
        raise SandboxUnavailable("docker sandbox unavailable")

    async def start_process(self, spec: RunSpec) -> SandboxProcess:
        raise SandboxUnavailable("docker sandbox unavailable")

    async def close(self) -> None:
        return None
