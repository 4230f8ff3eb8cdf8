"""The values a sweep passes around: options, failing tests, jobs, job results and the report.

A sweep crosses process and machine boundaries (a local worker's pipe, a Ray task), so every
value here is a frozen dataclass with a `to_json` / `from_json` pair built on plain JSON types:
what a worker returns is data (the diff, the proof, the transcript), never an object that lives
on another machine. `Verdict` is the closed set of ways a job can end. Nothing here imports the
sandbox, the loop or Ray; `JobSettings` maps to and from the repair `Settings`.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

from fixloop.settings import Settings


class Verdict(str, enum.Enum):
    """How one fix job ended."""

    FIXED = "fixed"  # a fix the sandbox proved for the job's tests
    NOT_FIXED = "not_fixed"  # no verified fix within the budget
    NOTHING_TO_FIX = "nothing_to_fix"  # the job's tests passed on their own (a flaky suite)
    TIMED_OUT = "timed_out"  # the job ran past its budget and was stopped
    ERROR = "error"  # the job could not run (bad oracle, sandbox unavailable, worker lost)


ExecutorName = Literal["local", "ray"]
EXECUTORS: tuple[ExecutorName, ...] = ("local", "ray")
FORMATS = ("md", "json", "sarif")


@dataclass(frozen=True)
class FailingTest:
    """One test that failed in the first run of the suite, and where its failure points."""

    nodeid: str
    message: str
    # The project module the failure points at (relative, posix), None when nothing points
    # into the project's own code.
    module: str | None
    # Why that module: "traceback" (the deepest frame in project code) or "import" (the module
    # the test imports).
    reason: Literal["traceback", "import", "none"] = "none"


@dataclass(frozen=True)
class JobSettings:
    """What a worker needs besides the snapshot to run a job: the repair settings that matter."""

    engine: str = "offline"
    sandbox: str = "auto"
    budget: float = 60.0
    timeout: float = 10.0
    memory: int = 1024
    python: str = ""
    docker_image: str = ""
    model: str = ""  # the model's name and endpoint, never its key
    base_url: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, settings: Settings, *, engine: str | None = None) -> JobSettings:
        """The part of the repair settings a job uses (`engine` overrides the setting's);
        every field here is a field of `Settings` of the same name."""
        values = {f.name: getattr(settings, f.name) for f in fields(cls)}
        return cls(**{**values, **({"engine": engine} if engine else {})})

    def settings(self) -> Settings:
        """The repair settings a worker runs the job's loop with."""
        image = self.docker_image or Settings().docker_image
        return Settings(**{**asdict(self), "docker_image": image})

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobSettings:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass(frozen=True)
class Job:
    """One fix job: a module and the failing tests that point at it (the job's oracle)."""

    id: str  # short and stable: the module's path
    target: str  # the module to fix, relative to the project root (posix)
    tests: tuple[str, ...]  # the failing tests that point at the module (pytest node ids)
    key: str  # digest of the job's inputs (files, tests, settings), for --resume
    settings: JobSettings = field(default_factory=JobSettings)
    # Tests of the same test files that passed: part of the oracle, so that a fix cannot
    # break its neighbours.
    guards: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "target": self.target,
            "tests": list(self.tests),
            "key": self.key,
            "settings": self.settings.to_json(),
            "guards": list(self.guards),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        return cls(
            id=str(data["id"]),
            target=str(data["target"]),
            tests=tuple(str(t) for t in data["tests"]),
            key=str(data["key"]),
            settings=JobSettings.from_json(dict(data.get("settings") or {})),
            guards=tuple(str(t) for t in data.get("guards") or ()),
        )


@dataclass(frozen=True)
class ProofSide:
    """The oracle's verdict on one version (the job's tests before or after the fix)."""

    status: str
    passed: int
    failed: int
    summary: str


@dataclass(frozen=True)
class JobResult:
    """What came back from a job: the verdict, the fix as text and diff, the proof, where it ran."""

    job_id: str
    target: str
    tests: tuple[str, ...]
    key: str
    verdict: Verdict
    reason: str = ""
    summary: str = ""  # one line describing the edit
    diff: str = ""
    original: str = ""  # the target's text the fix was made for (when fixed)
    fixed: str = ""  # the target's whole new text (when fixed)
    proof_command: str = ""
    before: ProofSide | None = None
    after: ProofSide | None = None
    engine: str = ""
    candidates: int = 0
    duration_ms: int = 0
    node: str = ""  # which machine (Ray node id and host, or "local:HOST")
    worker: str = ""  # which worker process (pid) on that node
    transcript: str = ""  # the loop's JSON-lines transcript, redacted
    resumed: bool = False  # taken from an earlier sweep's results by --resume
    # From handing the job to the executor to having its result back, on the driver: the
    # difference from `duration_ms` is what the executor itself costs (transport, scheduling).
    round_trip_ms: int = 0
    # Which opening of its process's shared sandbox ran the job's loop (0: a sandbox of its
    # own): jobs of one process with one serial shared one sandbox.
    sandbox_serial: int = 0

    @classmethod
    def stopped(
        cls, job: Job, verdict: Verdict, reason: str, *, seconds: float = 0.0, node: str = ""
    ) -> JobResult:
        """A job that produced no answer of its own: timed out, cancelled, its worker lost."""
        return cls(
            job.id,
            job.target,
            job.tests,
            job.key,
            verdict,
            reason=reason,
            duration_ms=int(seconds * 1000),
            node=node,
        )

    @property
    def proof(self) -> str:
        if self.before is None or self.after is None:
            return ""
        return f"{self.before.summary} -> {self.after.summary}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["verdict"] = self.verdict.value
        data["tests"] = list(self.tests)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobResult:
        known = {f.name for f in fields(cls)}
        values = {name: value for name, value in data.items() if name in known}
        values["verdict"] = Verdict(values["verdict"])
        values["tests"] = tuple(values.get("tests") or ())
        for side in ("before", "after"):
            raw = values.get(side)
            values[side] = ProofSide(**raw) if isinstance(raw, dict) else None
        return cls(**values)


@dataclass(frozen=True)
class SuiteRun:
    """One run of the whole suite: which tests passed and which failed."""

    passed: frozenset[str]
    failed: frozenset[str]
    duration_ms: int = 0

    def summary(self) -> str:
        total = len(self.passed) + len(self.failed)
        return f"{len(self.passed)}/{total} tests pass"


@dataclass(frozen=True)
class CombinedProof:
    """The combined patch, proved by one fresh run of the whole suite."""

    files: tuple[str, ...]  # files the combined patch changes
    applied_jobs: tuple[str, ...]  # jobs whose fixes are in it
    dropped: tuple[tuple[str, str], ...]  # (job id, why) for fixes left out
    before: SuiteRun
    after: SuiteRun | None  # None when there was nothing to combine
    still_passing: bool  # every test that passed before passes after
    fixed_now_pass: bool  # every failing test of an applied job passes after
    texts: tuple[tuple[str, str, str], ...] = ()  # (file, original, combined text)
    # Jobs without a fix of their own whose failing tests all pass with the combined patch
    # (their failure came from a module another job fixed).
    passing_with_patch: tuple[str, ...] = ()

    @property
    def holds(self) -> bool:
        return self.after is not None and self.still_passing and self.fixed_now_pass
