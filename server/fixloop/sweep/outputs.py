"""The sweep's outputs in `--out`: summary.md, results.jsonl, fixes.patch and results.sarif.

`summary.md` is for people: the totals, the combined proof, then per job its target, tests,
verdict, proof, time, node and diff. `results.jsonl` holds one JSON object per job (what
`--resume` reads back) with its transcript in `transcripts/`. `fixes.patch` is the proven
combined patch as unified diffs with `a/` and `b/` paths, which `git apply` takes from the
project root. `results.sarif` is SARIF 2.1.0. Files are written under the output folder without
following symlinks (`fixloop.safewrite.write_output`); the project itself is never written here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path, PurePosixPath

from fixloop.patch import unified_diff
from fixloop.safewrite import write_output
from fixloop.sweep.model import JobResult, Verdict
from fixloop.sweep.run import SweepReport
from fixloop.sweep.sarif import sarif_log

RESULTS = "results.jsonl"
SUMMARY = "summary.md"
PATCH = "fixes.patch"
SARIF = "results.sarif"


def combined_patch(report: SweepReport) -> str:
    combined = report.combined
    if combined is None or not combined.holds:
        return ""
    return "".join(unified_diff(original, text, file) for file, original, text in combined.texts)


def _fence(text: str) -> str:
    # Every line of a diff starts with a space, +, - or @, so no line of it can close the fence.
    return f"```diff\n{text.rstrip(chr(10))}\n```"


def summary_markdown(report: SweepReport) -> str:
    fixed = report.count(Verdict.FIXED)
    lines = [
        "# fixloop sweep",
        "",
        f"Project `{report.root.name}`: {len(report.baseline.failed)} failing of "
        f"{len(report.baseline.failed) + len(report.baseline.passed)} tests, "
        f"{len(report.jobs)} fix jobs on `{report.executor}` ({report.workers or 'all'} workers, "
        f"{report.nodes} node(s)), {report.duration_ms / 1000:.1f}s.",
        "",
        f"**{fixed} of {len(report.jobs)} jobs fixed.**",
        "",
    ]
    combined = report.combined
    if combined is not None and combined.after is not None:
        verdict = "holds" if combined.holds else "does NOT hold"
        lines += [
            f"Combined patch ({len(combined.files)} files, {len(combined.applied_jobs)} fixes): "
            f"the whole suite {report.baseline.summary()} before, {combined.after.summary()} "
            f"after; the proof {verdict} (tests passing before still pass: "
            f"{'yes' if combined.still_passing else 'no'}; fixed tests now pass: "
            f"{'yes' if combined.fixed_now_pass else 'no'}).",
            "",
        ]
        lines += [f"- left out: `{job}`: {why}" for job, why in combined.dropped]
        lines += [
            f"- `{job}` has no fix of its own, but its failing tests pass with the combined patch"
            for job in combined.passing_with_patch
        ]
        lines += [""] if combined.dropped or combined.passing_with_patch else []
    lines += [
        "| job | tests | verdict | proof | time | node |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for result in report.results:
        lines.append(
            f"| `{result.target}` | {len(result.tests)} | {result.verdict.value} | "
            f"{result.proof or '-'} | {result.duration_ms / 1000:.1f}s | {result.node} |"
        )
    for test in report.unassigned:
        lines.append(f"| (no project module) `{test.nodeid}` | 1 | not attempted | - | - | - |")
    for result in report.results:
        lines += ["", f"## `{result.target}`: {result.verdict.value}", ""]
        lines += [f"- test: `{test}`" for test in result.tests]
        if result.summary:
            lines.append(f"- fix: {result.summary}")
        if result.proof:
            lines.append(f"- proof: `{_short_command(result)}`: {result.proof}")
        if result.reason and result.verdict is not Verdict.FIXED:
            lines.append(f"- why: {result.reason}")
        lines.append(
            f"- time {result.duration_ms / 1000:.1f}s on {result.node or '?'}"
            + (f" (pid {result.worker})" if result.worker else "")
            + (", taken from the previous sweep" if result.resumed else "")
        )
        if result.diff:
            lines += ["", _fence(result.diff)]
    return "\n".join(lines) + "\n"


def _short_command(result: JobResult) -> str:
    """The proof's command, or for a long one (many node ids) what it ran."""
    if len(result.proof_command) <= 160:
        return result.proof_command
    files = sorted({test.split("::")[0] for test in result.tests})
    return f"pytest on {len(result.tests)} failing tests and their neighbours in {' '.join(files)}"


def _transcript_name(result: JobResult) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in result.target)
    return f"transcripts/{safe}.jsonl"


def results_lines(report: SweepReport) -> str:
    combined = set(report.combined.applied_jobs) if report.combined else set()
    out = []
    for result in report.results:
        data = result.to_json()
        transcript = data.pop("transcript")
        data["transcript"] = _transcript_name(result) if transcript else None
        proven = bool(report.combined and report.combined.holds)
        data["in_combined_patch"] = result.job_id in combined and proven
        data["passes_with_combined_patch"] = proven and result.job_id in (
            report.combined.passing_with_patch if report.combined else ()
        )
        out.append(json.dumps(data))
    return "\n".join(out) + ("\n" if out else "")


def write_outputs(report: SweepReport, out: Path, formats: Iterable[str]) -> list[Path]:
    """Write the chosen reports (and always the patch) under `out`; return what was written."""
    wanted = set(formats)
    written = []

    def put(name: str, text: str) -> None:
        written.append(write_output(out, PurePosixPath(name), text.encode("utf-8")))

    if "md" in wanted:
        put(SUMMARY, summary_markdown(report))
    if "json" in wanted:
        put(RESULTS, results_lines(report))
        for result in report.results:
            if result.transcript:
                put(_transcript_name(result), result.transcript)
    if "sarif" in wanted:
        combined = report.combined
        in_patch = set(combined.applied_jobs) if combined is not None and combined.holds else set()
        log = sarif_log(
            list(report.results),
            in_patch,
            [(test.nodeid, test.message) for test in report.unassigned],
        )
        put(SARIF, json.dumps(log, indent=2))
    put(PATCH, combined_patch(report))
    return written


def previous_results(out: Path) -> list[JobResult]:
    """The results of an earlier sweep written to `out` (for --resume); [] when there are none."""
    path = out / RESULTS
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    found = []
    for line in text.splitlines():
        try:
            data = json.loads(line)
            had_transcript = bool(data.pop("transcript", None))
            data.pop("in_combined_patch", None)
            data.pop("passes_with_combined_patch", None)
            result = JobResult.from_json(data)
            if had_transcript:
                # Read from the name this module gives it, never from a path in the file.
                result = replace(result, transcript=_read(out / _transcript_name(result)))
            found.append(result)
        except (ValueError, KeyError, TypeError):
            continue  # a line from another version or a cut-off write: that job runs again
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""
