"""Secrets in fixloop's own environment: moved out of it before any user code runs.

A process's initial environment stays readable in `/proc/<pid>/environ` for as long as it runs,
by any process of the same user: on the `local` sandbox that includes the code under repair.
So the entry points (`fixloop ...`, `python -m fixloop`, `python -m fixloop.lsp`) call
`reexec_without_secrets` first. When the environment holds a secret-looking variable (the API
key, any `*_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD`), the process writes those variables into a
pipe and re-executes itself with them removed and only the pipe's descriptor number in
`FIXLOOP_SECRETS_FD`; the new process reads the pipe, closes it and keeps the values in memory
(`secret_environ`). Children inherit neither the variables nor the pipe. With no secret in the
environment nothing is re-executed, so start-up costs nothing extra. This module imports only
the standard library, because it runs before anything else.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping

FD_VARIABLE = "FIXLOOP_SECRETS_FD"
MODEL_KEYS = ("FIXLOOP_API_KEY", "OPENAI_API_KEY")
# Names that end in a secret word, or hold SECRET/PASSWORD anywhere. Not FIXLOOP_TOKEN_BUDGET:
# a setting that merely mentions tokens is not a secret.
_SECRET_NAME = re.compile(
    r"(^|_)(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|PAT)$|SECRET|PASSWORD", re.I
)
_F_SETPIPE_SZ = 1031

_held: dict[str, str] = {}


def looks_secret(name: str) -> bool:
    return name in MODEL_KEYS or bool(_SECRET_NAME.search(name))


def secret_environ() -> Mapping[str, str]:
    """Secret variables this process received through the pipe (empty when not re-executed)."""
    _receive()
    return _held


def model_key() -> str | None:
    """The API key for the model: FIXLOOP_API_KEY, then OPENAI_API_KEY, from the environment
    or, after the re-execution, from what the pipe brought."""
    held = secret_environ()
    for name in MODEL_KEYS:
        value = os.environ.get(name) or held.get(name)
        if value:
            return value
    return None


def _receive() -> None:
    """In the re-executed process: take the secrets out of the inherited pipe, once."""
    raw = os.environ.pop(FD_VARIABLE, None)
    if raw is None:
        return
    try:
        fd = int(raw)
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        os.close(fd)
        received = json.loads(b"".join(chunks) or b"{}")
    except (ValueError, OSError) as error:
        print(f"fixloop: could not read the secrets passed to it ({error})", file=sys.stderr)
        return
    if isinstance(received, dict):
        _held.update({str(k): str(v) for k, v in received.items()})


def reexec_without_secrets() -> None:
    """Re-execute this process without secret variables in its environment (see the module
    doc). Returns when there is nothing to move, or in the re-executed process."""
    _receive()
    found = {name: value for name, value in os.environ.items() if looks_secret(name)}
    if not found or os.name != "posix":
        return
    payload = json.dumps(found).encode()
    read_end, write_end = os.pipe()
    try:
        if len(payload) > 60_000:  # more than a pipe holds by default
            import fcntl

            fcntl.fcntl(write_end, _F_SETPIPE_SZ, len(payload) + 4096)
        view = memoryview(payload)
        while view:
            view = view[os.write(write_end, view) :]
    except OSError as error:
        os.close(read_end)
        print(f"fixloop: warning: secrets stay in the environment ({error})", file=sys.stderr)
        return
    finally:
        os.close(write_end)
    os.set_inheritable(read_end, True)
    env = {name: value for name, value in os.environ.items() if name not in found}
    env[FD_VARIABLE] = str(read_end)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)
    except OSError as error:
        os.close(read_end)
        print(f"fixloop: warning: secrets stay in the environment ({error})", file=sys.stderr)
