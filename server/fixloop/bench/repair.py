"""`fixloop bench repair`: the offline engine on the bundled corpus, and warm vs fresh validation.

Part one runs `run_fix` on every corpus case (`prog.py` + `test_prog.py`, intended fix kept apart
in `fixes.json` as a replace/with pair) and prints the verified rate, how many verified fixes equal the intended fix
(same text after normalising whitespace, or the same syntax tree), and the median and 95th
percentile time to a verified fix. Part two takes the first candidates the engine proposes for a
few small cases and validates them twice in the same run: through the warm fork worker, then
with a fresh `python -m pytest` process each, and prints candidates per second and the ratio.
No timing is asserted anywhere; these are figures for the README and the issue.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QUICK_CASES = (
    "adult_age",
    "fahrenheit",
    "mean_empty",
    "factorial_base",
    "missing_colon",
    "hypotenuse_import",
    "binary_search_hang",
    "point_init",
    "inventory_multi",
    "queue_append_typo",
    "receipt_str_int",
    "has_negative",
)
THROUGHPUT_CASES = ("adult_age", "largest_value", "weekend", "cart_total")


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "repair", help="fix rate and speed of the offline engine on the corpus"
    )
    parser.add_argument("--corpus", default=None, help="corpus directory (default tests/corpus)")
    parser.add_argument("--quick", action="store_true", help="a small subset for CI")
    parser.add_argument("--sandbox", default="auto")
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--case", action="append", default=[], help="only these cases")
    parser.add_argument(
        "--part",
        choices=("all", "corpus", "validation"),
        default="all",
        help="the corpus fix rate, the validation speed on generated suites, or both",
    )
    parser.set_defaults(handler=handle)


@dataclass(frozen=True)
class CaseResult:
    name: str
    verified: bool
    intended: bool
    seconds: float
    candidates: int
    summary: str


def _corpus(path: str | None) -> Path:
    if path:
        return Path(path).resolve()
    here = Path.cwd() / "tests" / "corpus"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[3] / "tests" / "corpus"


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _same_fix(fixed: str, intended: str) -> bool:
    if _normal(fixed) == _normal(intended):
        return True
    try:
        return ast.dump(ast.parse(fixed)) == ast.dump(ast.parse(intended))
    except SyntaxError:
        return False


async def _run_case(case: Path, intended: str, settings: Any) -> CaseResult:
    from fixloop.fixes import FixRequest
    from fixloop.loop import run_fix

    started = time.monotonic()
    request = FixRequest(
        path=Path("prog.py"), root=case, settings=settings, tests=("test_prog.py",)
    )
    result = await run_fix(request)
    seconds = time.monotonic() - started
    same = bool(result.verified and result.fixed is not None and _same_fix(result.fixed, intended))
    return CaseResult(
        case.name,
        result.verified,
        same,
        seconds,
        result.candidates_tried,
        result.summary or (result.reason or ""),
    )


async def _throughput(
    corpus: Path, settings: Any, names: tuple[str, ...]
) -> tuple[int, float, int, float]:
    """(warm candidates, warm seconds, fresh candidates, fresh seconds) over the same candidates."""
    from fixloop.fixes import FixRequest, prepare
    from fixloop.oracle_runs import run_pytest_fresh
    from fixloop.repair.baseline import reproduce
    from fixloop.repair.budget import Budget
    from fixloop.repair.offline import OfflineEngine
    from fixloop.repair.pool import WorkerPool
    from fixloop.repair.runs import WarmRuns
    from fixloop.repair.search import SearchState
    from fixloop.repair.session import open_session
    from fixloop.repair.verify import Verifier
    from fixloop.sandbox import open_sandbox
    from fixloop.sandbox.base import Limits
    from fixloop.transcript import Transcript

    warm_count = fresh_count = 0
    warm_seconds = fresh_seconds = 0.0
    for name in names:
        case = corpus / name
        if not case.is_dir():
            continue
        request = FixRequest(
            path=Path("prog.py"), root=case, settings=settings, tests=("test_prog.py",)
        )
        prepared = prepare(request)
        transcript = Transcript(f"bench-{name}")
        sandbox = await open_sandbox(settings.sandbox, python=settings.python or None)
        pool = WorkerPool(
            sandbox,
            prepared.root,
            Limits(wall_seconds=settings.budget + 60, memory_mb=settings.memory),
            on_worker=lambda status, reason: None,
        )
        budget = Budget(time.monotonic(), settings.budget)
        try:
            runs = WarmRuns(sandbox, prepared, settings, budget, pool)
            verifier = Verifier(sandbox, prepared, settings)
            _, baseline = await reproduce(verifier, runs)
            assert baseline is not None, f"{name}: the original passes"
            session = open_session(
                prepared,
                baseline,
                budget=budget,
                state=SearchState(prepared.source),
                runs=runs,
                verifier=verifier,
                transcript=transcript,
                progress=None,
            )
            texts = [text for text, _ in OfflineEngine()._candidates(session)][:150]
            order = baseline.test_order()
            width = runs.parallelism  # as the loop does: one candidate per warm worker
            started = time.monotonic()
            for first in range(0, len(texts), width):
                await asyncio.gather(
                    *(
                        runs.observe(
                            text,
                            stop_on_fail=True,
                            order=order,
                            timeout=baseline.limits.child_seconds,
                            test_timeout=baseline.limits.test_seconds,
                        )
                        for text in texts[first : first + width]
                    )
                )
            warm_seconds += time.monotonic() - started
            warm_count += len(texts)
            started = time.monotonic()
            for text in texts[:8]:
                await run_pytest_fresh(
                    sandbox,
                    prepared.root,
                    prepared.oracle.tests,
                    {prepared.oracle.target: text},
                    verifier.limits,
                )
            fresh_seconds += time.monotonic() - started
            fresh_count += len(texts[:8])
        finally:
            await pool.close()
            await sandbox.close()
            transcript.close()
    return warm_count, warm_seconds, fresh_count, fresh_seconds


def _workers() -> int:
    from fixloop.repair.pool import PARALLEL_WORKERS

    return PARALLEL_WORKERS


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, int(round(fraction * (len(ordered) - 1)))))
    return ordered[index]


def handle(args: argparse.Namespace) -> int:
    from fixloop.settings import Settings

    settings = Settings(
        engine="offline",
        sandbox=args.sandbox,
        budget=args.budget,
        timeout=10.0 if not args.quick else 5.0,
    )
    if args.part in ("all", "corpus"):
        code = _corpus_part(args, settings)
        if code:
            return code
    if args.part in ("all", "validation"):
        from fixloop.bench.validation import report

        report(settings, quick=args.quick)
    return 0


def _corpus_part(args: argparse.Namespace, settings: Any) -> int:
    corpus = _corpus(args.corpus)
    if not corpus.is_dir():
        print(f"bench repair: no corpus at {corpus}")
        return 2
    cases = sorted(p for p in corpus.iterdir() if (p / "prog.py").is_file())
    fixes_file = corpus / "fixes.json"
    fixes = json.loads(fixes_file.read_text(encoding="utf-8")) if fixes_file.exists() else {}
    if args.case:
        cases = [p for p in cases if p.name in args.case]
    elif args.quick:
        cases = [p for p in cases if p.name in QUICK_CASES]
    results: list[CaseResult] = []
    for case in cases:
        fix = fixes.get(case.name, {})
        original = (case / "prog.py").read_text(encoding="utf-8")
        intended = original.replace(fix["replace"], fix["with"]) if fix else ""
        try:
            result = asyncio.run(_run_case(case, intended, settings))
        except Exception as exc:  # a broken case is a failed case, not a crashed benchmark
            result = CaseResult(
                case.name, False, False, 0.0, 0, f"error: {type(exc).__name__}: {exc}"
            )
        results.append(result)
        mark = "fixed " if result.verified else "FAILED"
        same = " (intended)" if result.intended else ""
        print(
            f"  {mark} {case.name:28s} {result.seconds:6.2f}s {result.candidates:5d} cand  {result.summary[:60]}{same}",
            flush=True,
        )
    verified = [r for r in results if r.verified]
    times = [r.seconds for r in verified]
    total = max(1, len(results))
    print(
        f"\nrepair corpus: {len(verified)}/{len(results)} verified ({100 * len(verified) / total:.0f}%), "
        f"{sum(r.intended for r in verified)} equal the intended fix"
    )
    if times:
        print(
            f"time to verified fix: median {statistics.median(times):.2f}s, p95 {_percentile(times, 0.95):.2f}s, "
            f"max {max(times):.2f}s; within 60s: {sum(t <= 60 for t in times)}"
        )
    names = THROUGHPUT_CASES[:2] if args.quick else THROUGHPUT_CASES
    warm_n, warm_s, fresh_n, fresh_s = asyncio.run(_throughput(corpus, settings, names))
    if warm_n and fresh_n:
        warm_rate = warm_n / warm_s
        fresh_rate = fresh_n / fresh_s
        print(
            f"validation: {_workers()} warm workers {warm_rate:.0f} candidates/s ({1000 / warm_rate:.1f} ms each, {warm_n} candidates); "
            f"fresh pytest {fresh_rate:.1f} candidates/s ({1000 / fresh_rate:.0f} ms each, {fresh_n}); "
            f"speed-up {warm_rate / fresh_rate:.0f}x"
        )
    return 0
