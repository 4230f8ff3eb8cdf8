"""Limits inside a worker child: a soft per-test alarm and an address-space cap.

The soft alarm raises `SoftTimeout` inside a test that runs past its cut, so the runner can
still report that test (and its coverage) as a timeout and move on; the parent's hard limit on
the whole child stays the backstop. Standard library only.
"""

from __future__ import annotations

import signal


class SoftTimeout(BaseException):
    """Raised inside a test that ran past its limit, so its coverage is still reported."""


def _on_alarm(signum: int, frame: object) -> None:
    raise SoftTimeout()


def arm(seconds: float | None) -> None:
    if seconds:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, float(seconds))


def disarm() -> None:
    signal.setitimer(signal.ITIMER_REAL, 0)


def limit_memory(megabytes: int | None) -> None:
    if not megabytes:
        return
    import resource

    limit = int(megabytes) * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass
