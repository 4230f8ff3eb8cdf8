"""The settings schema, generated from package.json by scripts/generate_settings.py.

Do not edit: change `contributes.configuration` in package.json and run
`python scripts/generate_settings.py`. `Settings` holds one field per server setting (the
camelCase key in snake_case) with the manifest's default; `SPECS` carries each setting's type,
enum and bounds, which `fixloop.settings` checks when it structures untrusted input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fixloop.setting_spec import SettingSpec

EngineName = Literal["auto", "offline", "llm"]
ENGINE_CHOICES: tuple[EngineName, ...] = ("auto", "offline", "llm")
SandboxName = Literal["auto", "local", "bwrap", "docker"]
SANDBOX_CHOICES: tuple[SandboxName, ...] = ("auto", "local", "bwrap", "docker")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """fixloop's server settings; see package.json for what each one means."""

    engine: EngineName = "auto"
    sandbox: SandboxName = "auto"
    python: str = ""
    timeout: float = 10.0
    memory: int = 1024
    budget: float = 60.0
    max_turns: int = 6
    model: str = ""
    base_url: str = ""
    test_command: str = ""
    run_on_save: bool = False
    network: bool = False
    docker_image: str = "python:3.12-slim"
    allow_shell: bool = False


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec(
        key="engine", name="engine", type="string", default="auto", enum=("auto", "offline", "llm")
    ),
    SettingSpec(
        key="sandbox",
        name="sandbox",
        type="string",
        default="auto",
        enum=("auto", "local", "bwrap", "docker"),
    ),
    SettingSpec(key="python", name="python", type="string", default="", max_length=4096),
    SettingSpec(
        key="timeout", name="timeout", type="number", default=10.0, minimum=0.1, maximum=86400
    ),
    SettingSpec(key="memory", name="memory", type="integer", default=1024, minimum=16),
    SettingSpec(
        key="budget", name="budget", type="number", default=60.0, minimum=0.1, maximum=86400
    ),
    SettingSpec(key="maxTurns", name="max_turns", type="integer", default=6, minimum=1),
    SettingSpec(key="model", name="model", type="string", default="", max_length=4096),
    SettingSpec(key="baseUrl", name="base_url", type="string", default="", max_length=4096),
    SettingSpec(key="testCommand", name="test_command", type="string", default="", max_length=4096),
    SettingSpec(key="runOnSave", name="run_on_save", type="boolean", default=False),
    SettingSpec(key="network", name="network", type="boolean", default=False),
    SettingSpec(
        key="dockerImage",
        name="docker_image",
        type="string",
        default="python:3.12-slim",
        min_length=1,
        max_length=4096,
    ),
    SettingSpec(key="allowShell", name="allow_shell", type="boolean", default=False),
)
CLIENT_ONLY_KEYS = ("serverPython", "logLevel")
