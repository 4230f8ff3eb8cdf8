"""`fixloop sweep [ROOT]`: attempt every failing test of a project and hand back proven fixes.

A thin adapter over `fixloop.sweep.run.run_sweep`: it checks the arguments, shows progress
(`sweep_display`), writes the reports into `--out` (`fixloop.sweep.outputs`) and, only with
`--apply`, writes the proven combined patch into the project through `fixloop.safewrite`.
Exit codes: 0 every failing module fixed and the combined patch proved, 1 some failures left
without a proven fix, 2 bad input (no tests, a suite that does not collect, an unreachable Ray
address, Ray not installed, an `--out` inside a test folder), a sandbox error or a write that
met a concurrent change, 3 nothing to fix (the suite passes).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from fixloop.cli.checks import count, mebibytes, seconds
from fixloop.cli.terminal import for_a_person
from fixloop.settings import ENGINES, SANDBOXES, structure_settings

FORMATS = ("md", "json", "sarif")
TEST_FOLDERS = {"tests", "test", "testing"}


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sweep",
        help="fix every failing test of a project, in parallel or on a Ray cluster",
        description=(
            "Run the suite once, group the failing tests by the module they point at, fix each "
            "module as a job (local worker processes or Ray tasks), combine the fixes and prove "
            "the combination with one fresh run of the whole suite. Nothing in the project "
            "changes unless --apply is given."
        ),
    )
    parser.add_argument("root", nargs="?", default=".", help="the project root (default: cwd)")
    parser.add_argument(
        "--test-command", metavar="CMD", help='the suite, as "pytest ARGS" (default: pytest)'
    )
    parser.add_argument("--executor", choices=("local", "ray"), default="local")
    parser.add_argument("--workers", type=count, default=None, metavar="N", help="jobs at once")
    parser.add_argument(
        "--ray-address",
        metavar="ADDR",
        help="the Ray cluster (default: RAY_ADDRESS, else a private one)",
    )
    parser.add_argument(
        "--budget", type=seconds, default=None, metavar="S", help="seconds per job (default 60)"
    )
    parser.add_argument("--timeout", type=seconds, default=None, metavar="S", help="per-run limit")
    parser.add_argument(
        "--suite-timeout", type=seconds, default=600.0, metavar="S", help="limit for a suite run"
    )
    parser.add_argument("--memory", type=mebibytes, default=None, metavar="MB")
    parser.add_argument("--engine", choices=ENGINES, default=None)
    parser.add_argument("--sandbox", choices=SANDBOXES, default=None)
    parser.add_argument("--python", metavar="PATH", default=None, help="interpreter for the code")
    parser.add_argument("--image", default=None, help="Docker image for --sandbox docker")
    parser.add_argument("--model", default=None, help="model name for the llm engine")
    parser.add_argument("--base-url", default=None, help="OpenAI-compatible server for the model")
    parser.add_argument(
        "--out", metavar="DIR", default="fixloop-sweep", help="reports (default ./fixloop-sweep/)"
    )
    parser.add_argument(
        "--resume", action="store_true", help="reuse results of unchanged jobs from --out"
    )
    parser.add_argument(
        "--apply", action="store_true", help="write the proven combined patch into the project"
    )
    parser.add_argument(
        "--format", default="md,json,sarif", metavar="LIST", help="reports: md,json,sarif"
    )
    parser.set_defaults(handler=handle)


def _say(message: str) -> None:
    print(f"fixloop sweep: {for_a_person(message)}", file=sys.stderr, flush=True)


def _fail(message: str) -> int:
    _say(message)
    return 2


def _formats(raw: str) -> tuple[str, ...] | str:
    chosen = tuple(part.strip() for part in raw.split(",") if part.strip())
    unknown = [part for part in chosen if part not in FORMATS]
    if not chosen or unknown:
        return f"--format takes a comma-separated list of {', '.join(FORMATS)}; got {raw!r}"
    return chosen


def out_problem(out: Path, root: Path) -> str | None:
    """Why `out` cannot take the reports: inside a test folder of the project, or the root."""
    if out == root:
        return "--out must not be the project root; name a folder for the reports"
    if out.exists() and not out.is_dir():
        return f"--out {out} exists and is not a folder"
    if not out.is_relative_to(root):
        return None
    folder = out
    while folder != root:
        if folder.name in TEST_FOLDERS or (
            folder.is_dir()
            and any(
                p.name == "conftest.py" or (p.name.startswith("test_") and p.suffix == ".py")
                for p in folder.iterdir()
            )
        ):
            shown = folder.relative_to(root).as_posix()
            return (
                f"--out {out} is inside the test folder {shown}; pytest would collect the "
                "reports and the sweep would change the suite it measures: put them elsewhere"
            )
        folder = folder.parent
    return None


def _options(args: argparse.Namespace, root: Path, out: Path) -> Any:
    from fixloop.secretenv import secret_environ
    from fixloop.sweep.model import JobSettings
    from fixloop.sweep.outputs import previous_results
    from fixloop.sweep.run import SweepOptions

    raw: dict[str, Any] = {"sandbox": args.sandbox, "python": args.python}
    raw.update(budget=args.budget, timeout=args.timeout, memory=args.memory)
    raw.update(docker_image=args.image, model=args.model, base_url=args.base_url)
    base, _ = structure_settings({k: v for k, v in raw.items() if v is not None})
    # On a cluster the model's key is not there: "auto" means the offline engine.
    engine = args.engine or ("offline" if args.executor == "ray" else "auto")
    settings = JobSettings.of(base, engine=engine)
    return SweepOptions(
        root=root,
        settings=settings,
        test_command=args.test_command,
        executor=args.executor,
        workers=args.workers,
        ray_address=args.ray_address,
        suite_timeout=args.suite_timeout,
        leave_out=(out,),
        previous=tuple(previous_results(out)) if args.resume else (),
        secrets=dict(secret_environ()) if args.executor == "local" else {},
    )


def handle(args: argparse.Namespace) -> int:
    from fixloop.cli.sweep_display import progress_display
    from fixloop.sandbox.base import SandboxUnavailable
    from fixloop.sweep.outputs import write_outputs
    from fixloop.sweep.rayexec import RayUnavailable
    from fixloop.sweep.run import SweepUsageError, run_sweep

    formats = _formats(args.format)
    if isinstance(formats, str):
        return _fail(formats)
    root = Path(args.root).resolve()
    if not root.is_dir():
        return _fail(f"the project root {args.root} is not a folder")
    out = Path(args.out).resolve()
    problem = out_problem(out, root)
    if problem:
        return _fail(problem)
    display = progress_display()
    try:
        report = asyncio.run(run_sweep(_options(args, root, out), display))
    except (SweepUsageError, RayUnavailable) as exc:
        return _fail(str(exc))
    except SandboxUnavailable as exc:
        return _fail(f"sandbox unavailable: {exc}")
    finally:
        display.close()
    if report.nothing_to_fix:
        _say(f"nothing to fix: {report.baseline.summary()}")
        return 3
    for path in write_outputs(report, out, formats):
        _say(f"wrote {path}")
    return _conclude(report, args.apply)


def _conclude(report: Any, apply: bool) -> int:
    from fixloop.sweep.model import Verdict

    combined = report.combined
    fixed = report.count(Verdict.FIXED)
    _say(
        f"{fixed} of {len(report.jobs)} modules fixed; "
        + (
            f"combined patch proved: {report.baseline.summary()} -> {combined.after.summary()}"
            if combined is not None and combined.holds
            else "no proven combined patch"
        )
    )
    proven = combined is not None and combined.holds
    if apply and proven:
        if not _apply(report.root, combined.texts):
            return 2
    elif apply:
        _say("--apply: nothing written, there is no proven combined patch")
    remaining = set(report.baseline.failed) - (set(combined.after.passed) if proven else set())
    return 0 if proven and not remaining else 1


def _apply(root: Path, texts: tuple[tuple[str, str, str], ...]) -> bool:
    from fixloop.patch import read_source
    from fixloop.safewrite import write_fix

    ok = True
    for file, original, text in texts:
        path = root / file
        try:
            _, encoding = read_source(path)
            report = write_fix(path, original, text, encoding)
        except (OSError, SyntaxError) as exc:
            _say(f"cannot write {file}: {exc}")
            ok = False
            continue
        _say(report.message(file))
        ok = ok and report.ok
    return ok
