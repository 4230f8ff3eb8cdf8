"""`fixloop bench repair`: the offline engine on both repair corpora, and warm vs fresh validation.

Part one runs `run_fix` on every case of `tests/corpus` and `tests/corpus-projects`
(`fixloop.bench.corpus_run`) and prints, per corpus, how many fixes were verified, how many of
them are correct (they pass the hidden checks the search never sees) and how many are wrong, and
the median and 95th percentile time to a verified fix. It exits 1 when a case that the committed
baseline file marks as fixed is no longer fixed, or when any verified fix is wrong. Part two
takes the first candidates the engine proposes for a few small cases and validates them twice in
the same run: through the warm fork worker, then with a fresh `python -m pytest` process each,
and prints candidates per second and the ratio. No timing is asserted anywhere; these are
figures for the README and the issue.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

QUICK_CASES = (
    "corpus/adult_age",
    "corpus/fahrenheit",
    "corpus/mean_empty",
    "corpus/factorial_base",
    "corpus/missing_colon",
    "corpus/hypotenuse_import",
    "corpus/binary_search_hang",
    "corpus/point_init",
    "corpus/inventory_multi",
    "corpus/queue_append_typo",
    "corpus/receipt_str_int",
    "corpus/has_negative",
    "corpus/trap_weekly_means_script",
    "projects/gradebook",
    "projects/shapes_area",
    "projects/sensor_peaks_script",
)
THROUGHPUT_CASES = ("adult_age", "largest_value", "weekend", "cart_total")


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "repair", help="fix rate, correctness and speed of the offline engine on the corpora"
    )
    parser.add_argument("--corpus", default=None, help="one-file corpus (default tests/corpus)")
    parser.add_argument(
        "--projects", default=None, help="project corpus (default tests/corpus-projects)"
    )
    parser.add_argument(
        "--corpora", choices=("both", "corpus", "projects"), default="both", help="which to run"
    )
    parser.add_argument("--quick", action="store_true", help="a small subset for CI")
    parser.add_argument("--sandbox", default="auto")
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument(
        "--case", action="append", default=[], help="only these cases (NAME or corpus/NAME)"
    )
    parser.add_argument("--baseline", default=None, help="baseline file of the fixed cases")
    parser.add_argument(
        "--write-baseline", action="store_true", help="record this run's correct fixes as fixed"
    )
    parser.add_argument(
        "--part",
        choices=("all", "corpus", "validation"),
        default="all",
        help="the corpora's fix rate, the validation speed on generated suites, or both",
    )
    parser.set_defaults(handler=handle)


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


def _selected(args: argparse.Namespace) -> list[Any]:
    from fixloop.bench.corpora import CORPUS, PROJECTS, all_cases

    corpus = Path(args.corpus).resolve() if args.corpus else CORPUS
    projects = Path(args.projects).resolve() if args.projects else PROJECTS
    cases = all_cases(corpus, projects)
    if args.corpora != "both":
        cases = [case for case in cases if case.corpus.value == args.corpora]
    if args.case:
        cases = [case for case in cases if case.id in args.case or case.name in args.case]
    elif args.quick:
        cases = [case for case in cases if case.id in QUICK_CASES]
    return cases


def handle(args: argparse.Namespace) -> int:
    from fixloop.settings import Settings

    settings = Settings(
        engine="offline",
        sandbox=args.sandbox,
        budget=args.budget,
        timeout=10.0 if not args.quick else 5.0,
    )
    code = 0
    if args.part in ("all", "corpus"):
        code = _corpus_part(args, settings)
    if args.part in ("all", "validation") and code != 2:
        from fixloop.bench.validation import report

        report(settings, quick=args.quick)
    return code


def _corpus_part(args: argparse.Namespace, settings: Any) -> int:
    """The corpora: every case through the loop, hidden checks on each fix, the baseline; 1 on a
    regression or a wrong fix, 2 when nothing was selected."""
    from fixloop.bench.corpora import CORPUS, Corpus
    from fixloop.bench.corpus_run import (
        BASELINE_FILE,
        CaseRun,
        corpus_summary,
        load_baseline,
        regressions,
        repair_case,
        write_baseline,
    )

    cases = _selected(args)
    if not cases:
        print("bench repair: no case selected")
        return 2
    runs: list[CaseRun] = []
    for case in cases:
        run = asyncio.run(repair_case(case, settings))
        runs.append(run)
        mark = "fixed " if run.verified else "FAILED"
        verdict = "" if not run.verified else (" correct" if run.correct else " WRONG")
        same = (" (intended)" if run.intended else "") + (" (uncertain)" if run.uncertain else "")
        print(
            f"  {mark} {run.case_id:40s} {run.seconds:6.2f}s {run.candidates:5d} cand  "
            f"{run.summary[:60]}{verdict}{same}",
            flush=True,
        )
        if run.wrong:
            print("    " + run.hidden_output.strip().replace("\n", "\n    ")[-800:], flush=True)
    print()
    for corpus in Corpus:
        chosen = [run for run in runs if run.corpus is corpus]
        if chosen:
            print(f"{corpus.value}: {corpus_summary(chosen)}")
    baseline_path = Path(args.baseline) if args.baseline else BASELINE_FILE
    if args.write_baseline:
        write_baseline(runs, args.budget, baseline_path)
        print(f"baseline written to {baseline_path}")
    failures = regressions(runs, load_baseline(baseline_path))
    wrong = [run.case_id for run in runs if run.wrong]
    if failures:
        print(f"no longer fixed (the baseline marks them fixed): {', '.join(failures)}")
    if wrong:
        print(f"WRONG fixes (verified, fail the hidden checks): {', '.join(wrong)}")
    corpus_dir = Path(args.corpus).resolve() if args.corpus else CORPUS
    names = THROUGHPUT_CASES[:2] if args.quick else THROUGHPUT_CASES
    warm_n, warm_s, fresh_n, fresh_s = asyncio.run(_throughput(corpus_dir, settings, names))
    if warm_n and fresh_n:
        warm_rate = warm_n / warm_s
        fresh_rate = fresh_n / fresh_s
        print(
            f"validation: {_workers()} warm workers {warm_rate:.0f} candidates/s ({1000 / warm_rate:.1f} ms each, {warm_n} candidates); "
            f"fresh pytest {fresh_rate:.1f} candidates/s ({1000 / fresh_rate:.0f} ms each, {fresh_n}); "
            f"speed-up {warm_rate / fresh_rate:.0f}x"
        )
    return 1 if failures or wrong else 0
