"""Which sandbox the settings pick, for the editor's status bar and the transcript view.

`fixloop.sandbox {}` answers with the backend a run would use now: the configured one, or for
`auto` the one `open_sandbox` opens (bubblewrap, else Docker, else local), found once per
distinct configuration by opening the process's shared sandbox, which the runs then use. `protected` is false for `local`, which runs the
user's code with the user's rights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fixloop.lsp.context import ServerContext
from fixloop.settings import Settings


@dataclass(frozen=True)
class SandboxInfo:
    configured: str
    name: str
    protected: bool
    available: bool
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": True,
            "configured": self.configured,
            "sandbox": self.name,
            "protected": self.protected,
            "available": self.available,
            "reason": self.reason,
        }


_resolved: dict[tuple[str, str, str], SandboxInfo] = {}


async def resolve_sandbox(settings: Settings) -> SandboxInfo:
    kind = settings.sandbox
    if kind != "auto":
        return SandboxInfo(kind, kind, kind != "local", True)
    key = (kind, settings.python, settings.docker_image)
    if key in _resolved:
        return _resolved[key]
    from fixloop.execution import acquire_shared
    from fixloop.sandbox import SandboxUnavailable, shared

    try:
        sandbox = await acquire_shared(settings)
    except SandboxUnavailable as exc:  # a bad `python` setting: nothing can run
        return SandboxInfo(kind, kind, False, False, str(exc))
    info = SandboxInfo(kind, sandbox.name, sandbox.protected, True)
    shared.release(sandbox)
    _resolved[key] = info
    return info


async def sandbox_command(server: ServerContext, args: tuple[Any, ...]) -> dict[str, Any]:
    return (await resolve_sandbox(server.settings)).to_json()
