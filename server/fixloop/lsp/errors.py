"""Error codes of the server's commands, so clients switch on a code and never on message text.

Every `fixloop.*` command that cannot do its job answers `{ok: false, code, reason, ...}`: `code`
is one of `ErrorCode` (absent only when the argument is not an object at all), `reason` is a
sentence for the user, and a few codes carry the data a client needs to offer the right button
(`sandbox` for sandbox-unavailable, `module` for missing-package, `missing` for no-model,
`fixFound` for stale). Results that report a failing program or failing tests (runFile,
runTests) also say `ok: false`, but without a code: the command itself did its job. `CommandError` is how handlers
stop with such an answer; `error_for` turns the exceptions the domain raises into one.
"""

from __future__ import annotations

import enum
from typing import Any

from fixloop.sandbox.base import SandboxUnavailable


class ErrorCode(str, enum.Enum):
    """What went wrong, as a client would branch on it."""

    SANDBOX_UNAVAILABLE = "sandbox-unavailable"  # the chosen sandbox cannot run here
    MISSING_PACKAGE = "missing-package"  # an optional Python package is not installed
    NO_MODEL = "no-model"  # a model-only command without a model name or key
    MODEL_CONFIG = "model-config"  # the endpoint rejected the model, the key or the URL
    STALE = "stale"  # the document changed: the result was dropped
    CANCELLED = "cancelled"  # the user (or a newer request) cancelled the work
    BAD_REQUEST = "bad-request"  # arguments or the document are unusable
    NO_TESTS = "no-tests"  # Run Tests found no test to run
    NO_TRANSCRIPT = "no-transcript"  # Show Transcript before any fix ran
    INTERNAL = "internal"  # a bug or an unexpected failure; the log has the details


STALE_REASON = "the document changed while fixloop was working; run it again"


class CommandError(Exception):
    """Stop a command with `{ok: false, code, reason, **data}`."""

    def __init__(
        self, reason: str, code: ErrorCode | None = ErrorCode.BAD_REQUEST, **data: Any
    ) -> None:
        super().__init__(reason)
        self.code = code
        self.data = data

    def result(self, **extra: Any) -> dict[str, Any]:
        return failure(self.code, str(self), **{**extra, **self.data})


def failure(code: ErrorCode | None, reason: str, **extra: Any) -> dict[str, Any]:
    if code is None:
        # Only a command whose argument is not an object at all: no client sends that, and the
        # hostile-input tests pin its answer as `{ok: false, reason}`.
        return {"ok": False, "reason": reason, **extra}
    return {"ok": False, "code": code.value, "reason": reason, **extra}


def sandbox_unavailable(sandbox: str, reason: str) -> CommandError:
    return CommandError(reason, ErrorCode.SANDBOX_UNAVAILABLE, sandbox=sandbox)


def error_for(exc: BaseException, sandbox: str) -> CommandError:
    """The command error for an exception the domain raised; `sandbox` is the configured one."""
    if isinstance(exc, CommandError):
        return exc
    if isinstance(exc, SandboxUnavailable):
        return sandbox_unavailable(sandbox, str(exc))
    if isinstance(exc, ImportError):
        # `name` is the module that failed to import; its top-level package is what to install.
        module = (exc.name or "").split(".")[0]
        return CommandError(
            f"the Python package {module or 'a module'} is not installed: {exc}",
            ErrorCode.MISSING_PACKAGE,
            module=module,
        )
    # Imported here, when a command already failed: loading the loop and the model layer up
    # front would slow every command.
    from fixloop.loop import FixUsageError
    from fixloop.oracle import OracleError
    from fixloop.repair.llm.errors import ModelConfigError

    if isinstance(exc, ModelConfigError):
        return CommandError(str(exc), ErrorCode.MODEL_CONFIG)
    if isinstance(exc, (FixUsageError, OracleError)):
        return CommandError(str(exc), ErrorCode.BAD_REQUEST)
    return CommandError(f"{type(exc).__name__}: {exc}", ErrorCode.INTERNAL)
