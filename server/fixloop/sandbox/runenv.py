"""The environment and interpreter of a sandboxed run, shared by every backend.

A run never sees a copy of the server's environment: `allowed_env` builds it from an allow-list
(plus the caller's variables, minus anything whose name hints at a secret) and stamps it with a
per-run marker (`MARKER_VAR`) that lets `processtree` find daemons that left the process group.
`run_variables` points pip and imports at a run's package directory; `interpreter_dirs` puts the
chosen interpreter first on PATH.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from fixloop.sandbox.base import RunSpec

MARKER_VAR = "FIXLOOP_RUN_MARKER"
# Variables copied from the server's environment when present; everything else is dropped.
_COPIED_VARS = ("LANG", "LANGUAGE", "TZ")
# A caller-supplied variable whose name looks like this is refused: it may carry a secret.
_SECRET_HINTS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "COOKIE")


def looks_secret(name: str) -> bool:
    upper = name.upper()
    return any(hint in upper for hint in _SECRET_HINTS)


def allowed_env(
    *, home: str, tmp: str, path_dirs: Sequence[str], extra: Mapping[str, str], marker: str
) -> dict[str, str]:
    """The complete environment of a sandboxed run: never a copy of ours, never a secret."""
    env = {
        "PATH": ":".join([*path_dirs, "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": home,
        "TMPDIR": tmp,
        "TERM": "dumb",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONNOUSERSITE": "1",
        MARKER_VAR: marker,
    }
    for name, value in os.environ.items():
        if name in _COPIED_VARS or name.startswith("LC_"):
            env[name] = value
    for name, value in extra.items():
        if looks_secret(name) or "\x00" in name + value or "=" in name:
            continue
        env[name] = value
    env.setdefault("LANG", "C.UTF-8")
    return env


def run_variables(spec: RunSpec, packages: str | None) -> dict[str, str]:
    """The caller's variables for `allowed_env`; with a package directory (`packages`, its path
    as the run sees it), pip installs there (`--target`, so never into the interpreter's own
    environment) and imports find it."""
    env = dict(spec.env)
    if packages is not None:
        env["PIP_TARGET"] = packages
        env["PYTHONPATH"] = ":".join(filter(None, [packages, env.get("PYTHONPATH", "")]))
        env.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        env.setdefault("PIP_NO_INPUT", "1")
    return env


def interpreter_dirs(python: str) -> list[str]:
    """Directories to put first on PATH so `python`/`python3` mean the chosen interpreter."""
    return [str(Path(python).parent)] if os.path.isabs(python) else []


def default_python() -> str:
    return sys.executable
