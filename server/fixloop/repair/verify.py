"""Fresh runs of the full oracle: reproducing the failure, and the proof of a winner.

`Verifier` runs the oracle once in a fresh sandbox process on a version of the target: the
script through the worker's `--once` mode, the tests through a real, fresh pytest process whose
outcomes come from pytest's hooks together with its exit status, or the command. The first run
(the original) also rejects unusable oracles (no pytest in the user's interpreter, no tests
collected, a command that does not exist) with `OracleError`. `prove` is the last word on a
candidate: only fresh runs that pass make it verified, one under each of the proof's hash
seeds, which differ from the seed the candidate was checked (and the original run) under, so a
pass that holds in one hash order only is not a proof. A command oracle has no warm path, so its
check is already a fresh run under the check's seed. When the
request names a checker diagnostic (`checker`, set once the original shows it), the proof also
runs that checker on the candidate, which must clear the diagnostic and add no error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fixloop import pyast
from fixloop.checker_oracle import CheckerOracle
from fixloop.fixes import OracleSide, PreparedRequest
from fixloop.observation import (
    Observation,
    TestOutcome,
    observation_from_run,
    tampered_observation,
)
from fixloop.oracle import OracleError, command_spec
from fixloop.oracle_runs import (
    CHECK_HASH_SEED,
    PROOF_HASH_SEEDS,
    PytestRun,
    observe_fresh_worker,
    run_pytest_fresh,
    worker_request,
)
from fixloop.repair.engine import CandidateVerdict
from fixloop.sandbox.base import Limits, Sandbox, Status
from fixloop.settings import Settings

# Extra wall time a proof run gets for interpreter and pytest start-up, so a tight `--timeout`
# (meant for the code) cannot reject a fix that the warm run passed.
PROOF_STARTUP_SECONDS = 10.0
OUTPUT_TAIL = 3000
FEEDBACK_TAIL = 1500

# What a passing proof must show besides passing (None when it does): the script oracle's
# kept work, for one.
ProofCheck = Callable[[Observation], CandidateVerdict | None]


class Verifier:
    def __init__(self, sandbox: Sandbox, prepared: PreparedRequest, settings: Settings) -> None:
        self.sandbox = sandbox
        self.prepared = prepared
        self.settings = settings
        self.limits = Limits(wall_seconds=settings.timeout, memory_mb=settings.memory)
        # The checker diagnostic a proof must also clear (the original showed it).
        self.checker: CheckerOracle | None = None

    async def fresh(
        self,
        text: str,
        *,
        proof: bool = False,
        first: bool = False,
        test_cut: float | None = None,
        hash_seed: str = CHECK_HASH_SEED,
    ) -> Observation:
        """The full oracle in a fresh sandbox process, with `text` as the target file.

        `first` marks the run on the original, which may reject the oracle itself. `test_cut`
        (tests only) reports a test whose call runs longer as a timeout, so that hanging tests
        cost a cut each rather than the whole run's time limit. `hash_seed` pins the order of
        sets and of hashes of strings (see `oracle_runs.CHECK_HASH_SEED`).
        """
        oracle, root = self.prepared.oracle, self.prepared.root
        overlay = {oracle.target: text}
        limits = self.limits
        if proof or test_cut:
            limits = Limits(
                wall_seconds=self.settings.timeout + PROOF_STARTUP_SECONDS,
                memory_mb=self.settings.memory,
            )
        if oracle.kind == "command":
            result = await self.sandbox.run(command_spec(oracle, root, overlay, limits, hash_seed))
            if result.status is Status.SANDBOX_ERROR:
                raise OracleError(
                    f"the command could not run: {result.note or result.stderr[-300:]}"
                )
            program = oracle.command[0] if not oracle.shell else ""
            missing = result.exit_code == 127 or (
                program
                and program in result.stderr
                and ("execvp" in result.stderr or "not found" in result.stderr)
            )
            if first and result.status is Status.ERROR and missing:
                raise OracleError(f"the command could not run: {result.stderr.strip()[-300:]}")
            return observation_from_run(result, "command")
        if oracle.kind == "script":
            request = worker_request(
                oracle,
                overlay=overlay,
                timeout=self.settings.timeout,
                memory_mb=self.settings.memory,
                footprint=True,  # what the run printed and ran: see repair.footprint
            )
            return await observe_fresh_worker(
                self.sandbox, root, request, limits, hash_seed=hash_seed
            )
        run = await run_pytest_fresh(
            self.sandbox,
            root,
            oracle.tests,
            overlay,
            limits,
            test_cut=test_cut,
            hash_seed=hash_seed,
        )
        return self._tests_observation(run)

    def _tests_observation(self, run: PytestRun) -> Observation:
        result = run.result
        if result.tampered:
            return tampered_observation(result.tampered, result.duration_ms)
        if run.pytest_missing:
            # Not a failing test: the interpreter that runs the user's code has no pytest.
            raise OracleError(
                "pytest is not installed in the interpreter that runs your code; install it there "
                "or choose another interpreter (--python, or the fixloop.python setting)"
            )
        report = run.report
        if result.status is Status.TIMEOUT:
            return Observation(
                (TestOutcome("<pytest>", "timeout", "timed out"),),
                result.duration_ms,
                report[-OUTPUT_TAIL:],
                runner="fresh",
            )
        code = run.exit_code
        if code in (0, 1) or (code == 2 and self._collection_blames_target(report)):
            # Skipped tests count on neither side, as pytest's own summary has them apart.
            outcomes = tuple(o for o in run.outcomes if o.outcome != "skipped")
            if code != 0 and not any(o.failing for o in outcomes):
                outcomes += (TestOutcome("<pytest>", "failed", f"pytest exit status {code}"),)
            return Observation(outcomes, result.duration_ms, report[-OUTPUT_TAIL:], runner="fresh")
        if code == 5:
            raise OracleError(
                f"pytest collected no tests from {' '.join(self.prepared.oracle.tests)}"
            )
        raise OracleError(
            f"the tests could not run (pytest exit {code}):\n{(result.stdout + report)[-1500:]}"
        )

    def _collection_blames_target(self, output: str) -> bool:
        name = Path(self.prepared.oracle.target).name
        try:
            pyast.parse(self.prepared.source)
        except SyntaxError:
            return True
        return name in output and "Error" in output

    async def check_command(self, text: str) -> CandidateVerdict:
        """A command oracle's check of a candidate: one fresh run ("passed" waits for `prove`)."""
        observation = await self.fresh(text)
        if not observation.ok:
            return CandidateVerdict(
                False, "fails", observation.summary(), observation.output[-FEEDBACK_TAIL:]
            )
        return CandidateVerdict(False, "passed", "the command exits 0")

    async def prove(
        self,
        text: str,
        *,
        must_pass: frozenset[str] = frozenset(),
        check: ProofCheck | None = None,
    ) -> tuple[CandidateVerdict, OracleSide | None]:
        """The final word on a candidate that passed its check: a fresh full-oracle run, in
        which every test of `must_pass` (those that ran on the original) must pass, and which
        must satisfy `check`."""
        verdict, after = await self._prove_oracle(text, must_pass, check)
        if not verdict.verified or self.checker is None:
            return verdict, after
        refusal = await self.checker.refusal(self.sandbox, text)
        if refusal is not None:
            return CandidateVerdict(False, "checker", f"{refusal} (the tests pass)"), None
        cleared = f"{verdict.reason}; {self.checker.tool} clears it"
        return CandidateVerdict(True, "verified", cleared), after

    async def _prove_oracle(
        self, text: str, must_pass: frozenset[str], check: ProofCheck | None
    ) -> tuple[CandidateVerdict, OracleSide | None]:
        """One fresh run under each of `PROOF_HASH_SEEDS` (the check ran under another seed):
        a candidate is proven only when its pass does not depend on one hash order."""
        # A command oracle's check already was a fresh run on exactly this text, under the
        # check's seed; the proof adds the other seeds.
        after: OracleSide | None = None
        verdict = CandidateVerdict(False, "fails", "not run")
        for seed in PROOF_HASH_SEEDS:
            verdict, after = await self._prove_once(text, must_pass, check, seed)
            if not verdict.verified:
                if seed != PROOF_HASH_SEEDS[0]:
                    reason = f"{verdict.reason} (hash seed {seed}: the pass depends on hash order)"
                    verdict = CandidateVerdict(False, verdict.outcome, reason, verdict.output)
                return verdict, None
        return verdict, after

    async def _prove_once(
        self, text: str, must_pass: frozenset[str], check: ProofCheck | None, seed: str
    ) -> tuple[CandidateVerdict, OracleSide | None]:
        proof = await self.fresh(text, proof=True, hash_seed=seed)
        caught = proof.cheat()
        if caught is not None:
            return CandidateVerdict(
                False, "cheat", f"caught at run time: {caught.message}", proof.report_text()
            ), None
        if not proof.ok:
            return CandidateVerdict(
                False, "fails", f"fresh run: {proof.summary()}", proof.output[-FEEDBACK_TAIL:]
            ), None
        missing = must_pass - proof.passed
        if missing:
            return CandidateVerdict(
                False,
                "fails",
                f"fresh run: {', '.join(sorted(missing)[:3])} did not run",
                proof.output[-FEEDBACK_TAIL:],
            ), None
        refusal = check(proof) if check is not None else None
        if refusal is not None:
            return refusal, None
        return CandidateVerdict(True, "verified", f"verified: {proof.summary()}"), OracleSide.of(
            proof
        )
