"""Combining the jobs' fixes into one patch, proved by one fresh run of the whole suite.

Fixes to different files are simply put together. Fixes to the same file are applied in turn:
each one's changed lines (against the original) are laid onto the text the earlier ones made,
and a fix whose lines overlap an earlier one's is left out, never merged by guesswork. The
combination is then proved by one fresh run of the whole suite with every combined file in
place: every test that passed before must still pass, and every failing test of a combined job
must now pass. When that run fails, the fixes are added back one at a time, each addition
proved by a run of the suite, and a fix that breaks the combination is left out with the
reason. `CombinedProof` records what went in, what was left out and the proving run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from fixloop.spans import common_prefix_length, common_suffix_length
from fixloop.sweep.model import CombinedProof, JobResult, SuiteRun, Verdict

SuiteRunner = Callable[[Mapping[str, str]], Awaitable[SuiteRun]]


@dataclass(frozen=True)
class LineEdit:
    """Lines [start, end) of the original replaced by `lines`."""

    start: int
    end: int
    lines: tuple[str, ...]

    def overlaps(self, other: LineEdit) -> bool:
        # An insertion clashes with an edit that touches the point where it goes: the order
        # of the two would be a guess.
        if self.start == self.end:
            return other.start <= self.start <= other.end
        if other.start == other.end:
            return self.start <= other.start <= self.end
        return self.start < other.end and other.start < self.end


def line_edit(original: str, fixed: str) -> LineEdit:
    old = original.splitlines(keepends=True)
    new = fixed.splitlines(keepends=True)
    prefix = common_prefix_length(old, new)
    suffix = common_suffix_length(old, new, min(len(old), len(new)) - prefix)
    return LineEdit(prefix, len(old) - suffix, tuple(new[prefix : len(new) - suffix]))


def merge_fixes(
    original: str, fixes: Sequence[tuple[str, str]]
) -> tuple[str, list[str], list[tuple[str, str]]]:
    """Lay each (job id, fixed text) onto `original` in turn: (text, applied ids, dropped)."""
    accepted: list[tuple[str, LineEdit]] = []
    dropped: list[tuple[str, str]] = []
    for job_id, fixed in fixes:
        edit = line_edit(original, fixed)
        clash = next((other for other, taken in accepted if edit.overlaps(taken)), None)
        if clash is not None:
            dropped.append((job_id, f"its lines overlap the fix of {clash} in the same file"))
            continue
        accepted.append((job_id, edit))
    lines = original.splitlines(keepends=True)
    # Apply from the bottom up so that earlier line numbers stay valid.
    for _, edit in sorted(accepted, key=lambda item: item[1].start, reverse=True):
        lines[edit.start : edit.end] = edit.lines
    return "".join(lines), [job_id for job_id, _ in accepted], dropped


def _texts(
    fixed: Sequence[JobResult], originals: Mapping[str, str]
) -> tuple[dict[str, tuple[str, str]], list[str], list[tuple[str, str]]]:
    """Per file (original, combined text), the jobs applied, the jobs dropped. A fix counts
    only against the text the sweep sent (`originals`), never the text a worker says it had."""
    by_file: dict[str, list[JobResult]] = {}
    for result in fixed:
        by_file.setdefault(result.target, []).append(result)
    texts: dict[str, tuple[str, str]] = {}
    applied: list[str] = []
    dropped: list[tuple[str, str]] = []
    for file, results in sorted(by_file.items()):
        original = originals.get(file)
        usable = []
        for result in results:
            if original is None or result.original != original:
                dropped.append((result.job_id, "made for another text than the sweep sent"))
            else:
                usable.append((result.job_id, result.fixed))
        if original is None or not usable:
            continue
        text, ids, left_out = merge_fixes(original, usable)
        texts[file] = (original, text)
        applied.extend(ids)
        dropped.extend(left_out)
    return texts, applied, dropped


def _holds(before: SuiteRun, after: SuiteRun, tests: set[str]) -> tuple[bool, bool]:
    return before.passed <= after.passed, tests <= after.passed


async def combine(
    results: Sequence[JobResult],
    before: SuiteRun,
    run_suite: SuiteRunner,
    originals: Mapping[str, str],
) -> CombinedProof:
    """Combine the fixed jobs' texts and prove the combination with the whole suite;
    `originals` are the targets' texts as the sweep sent them."""
    fixed = [r for r in results if r.verdict is Verdict.FIXED and r.fixed and r.original]
    if not fixed:
        return CombinedProof((), (), (), before, None, True, False)
    by_id = {r.job_id: r for r in fixed}
    texts, applied, dropped = _texts(fixed, originals)
    if not texts:
        return CombinedProof((), (), tuple(dropped), before, None, True, False)
    after = await run_suite({file: text for file, (_, text) in texts.items()})
    still, now = _holds(before, after, {t for job in applied for t in by_id[job].tests})
    if not (still and now):
        texts, applied, dropped, after = await _one_at_a_time(
            fixed, before, run_suite, dropped, originals
        )
        if not applied:
            return CombinedProof((), (), tuple(dropped), before, None, True, False)
        still, now = _holds(before, after, {t for job in applied for t in by_id[job].tests})
    passing_with_patch = tuple(
        r.job_id
        for r in results
        if r.job_id not in applied and r.tests and set(r.tests) <= after.passed
    )
    return CombinedProof(
        passing_with_patch=passing_with_patch,
        files=tuple(sorted(texts)),
        applied_jobs=tuple(applied),
        dropped=tuple(dropped),
        before=before,
        after=after,
        still_passing=still,
        fixed_now_pass=now,
        texts=tuple((file, original, text) for file, (original, text) in sorted(texts.items())),
    )


async def _one_at_a_time(
    fixed: Sequence[JobResult],
    before: SuiteRun,
    run_suite: SuiteRunner,
    dropped: list[tuple[str, str]],
    originals: Mapping[str, str],
) -> tuple[dict[str, tuple[str, str]], list[str], list[tuple[str, str]], SuiteRun]:
    """Add the fixes back one by one, keeping each whose addition the suite still proves."""
    left_out = {job_id for job_id, _ in dropped}
    kept: list[JobResult] = []
    dropped = list(dropped)
    last = before
    texts: dict[str, tuple[str, str]] = {}
    for result in fixed:
        if result.job_id in left_out:
            continue
        trial_texts, trial_applied, _ = _texts([*kept, result], originals)
        if result.job_id not in trial_applied:
            continue
        run = await run_suite({file: text for file, (_, text) in trial_texts.items()})
        tests = {t for r in [*kept, result] for t in r.tests}
        still, now = _holds(before, run, tests)
        if still and now:
            kept.append(result)
            texts, last = trial_texts, run
        else:
            dropped.append((result.job_id, "the whole suite fails with it and the other fixes"))
    return texts, [r.job_id for r in kept], dropped, last
