"""The Job record and the outcome of running one."""

from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass
class Job:
    id: str
    func: Callable[..., Any]
    args: tuple = ()
    max_attempts: int = 3
    attempts: int = 0
    errors: list = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    job_id: str
    ok: bool
    value: Any = None
    attempts: int = 0
