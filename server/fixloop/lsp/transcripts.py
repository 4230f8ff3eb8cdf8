"""`fixloop.transcript`: a loop's JSON-lines transcript, and a view of it people can read.

The loop writes one record per step (request, baseline, target, engine, candidate, result, model
turns). The view lists every attempt with its time since the start, where it edits, the diff of
its change, its verdict and reason; and above them the file, oracle, engines, sandbox, budget and
proof. Two things the transcript does not record are taken from what the server kept when the
fix ran (`TranscriptSource`): the text the loop started from, which turns each candidate's
recorded lines into a diff, and the sandbox. Without them (another server's transcript) the view
shows each candidate's new lines instead of a diff and the sandbox as unknown. The verified
candidate's diff is the one the fix returned.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from fixloop.lsp.context import ServerContext, argument
from fixloop.lsp.documents import TranscriptSource
from fixloop.lsp.errors import CommandError, ErrorCode
from fixloop.patch import replace_lines, unified_diff
from fixloop.spans import LineRange

MAX_TRANSCRIPT_BYTES = 4 * 1024 * 1024
_EVENT_TEXT = {
    "baseline_fresh": "reproduced: {summary}",
    "baseline": "baseline ({runner} runner): {summary}",
    "target": "searching lines {start}-{end}: {failure}",
    "engine": "engine {name}",
    "engine_error": "engine {name} failed: {error}",
    "warning": "{message}",
    "worker": "worker {status}: {reason}",
    "model_turn": "model turn {turn}: {finish_reason}",
    "model_rejected": "model answer {turn} rejected: {reason}",
    "model_usage": "model {model}: {turns} turns, {tokens} tokens",
}


@dataclass(frozen=True)
class Attempt:
    """One candidate fix and what the sandbox said about it."""

    index: int
    seconds: float  # since the loop started
    engine: str
    summary: str  # what the candidate changes, e.g. "operator + -> - (line 17)"
    verdict: str  # "verified", "fails", "passed", "rejected", ...
    reason: str
    lines: tuple[int, int] | None  # lines of the original text it edits, 1-based inclusive
    diff: str  # unified diff of the change, "" when the original text is unknown
    text: str  # the candidate's new lines around the change
    failing: tuple[str, ...]  # the tests it failed, when the transcript names them
    ms: int


@dataclass(frozen=True)
class Event:
    """A step of the loop that is not an attempt: the baseline, the target, an engine, a turn."""

    seconds: float
    kind: str
    text: str


@dataclass(frozen=True)
class TranscriptView:
    path: str
    uri: str | None
    file: str
    oracle: str
    engines: tuple[str, ...]
    sandbox: str
    budget: float | None
    verified: bool | None  # None: the loop did not finish
    proof: str  # "1 failing -> 5/5 tests pass" when verified
    outcome: str  # one line: what the loop ended with
    failing_before: tuple[str, ...]
    attempts: tuple[Attempt, ...]
    events: tuple[Event, ...]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def parse_lines(text: str) -> list[dict[str, Any]]:
    records = []
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            if isinstance(record, dict):
                records.append(record)
    return records


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _diff(source: str | None, file: str, lines: Any, snippet: str) -> str:
    """The candidate's change as a unified diff of the original text, when it can be rebuilt.

    A candidate record keeps the span of original lines it touched and its new lines from the
    first of those to one past the last. When the change kept the number of lines, those new
    lines put back in place of the same original lines rebuild the candidate's text; the line
    past the change then still matches the original. Otherwise (lines inserted or removed) the
    record is not enough, and the view shows the new lines instead of a wrong diff.
    """
    if source is None or not snippet or not _is_span(lines):
        return ""
    old_lines = source.splitlines(keepends=True)
    new_lines = snippet.splitlines(keepends=True)
    start, end = int(lines[0]), min(int(lines[1]) + 1, len(old_lines))
    if not 1 <= start <= end or len(new_lines) != end - start + 1:
        return ""
    if int(lines[1]) < len(old_lines) and new_lines[-1].rstrip("\r\n") != old_lines[end - 1].rstrip(
        "\r\n"
    ):
        return ""  # the line after the change moved: lines were inserted or removed
    try:
        return unified_diff(source, replace_lines(source, LineRange(start, end), snippet), file)
    except (ValueError, IndexError):
        return ""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _span(value: Any) -> tuple[int, int] | None:
    return (int(value[0]), int(value[1])) if _is_span(value) else None


def _is_span(value: Any) -> bool:
    return (
        isinstance(value, Sequence)
        and len(value) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in value)
    )


def build_view(
    records: Sequence[Mapping[str, Any]], path: str, source: TranscriptSource | None
) -> TranscriptView:
    start = next((float(r["time"]) for r in records if _is_number(r.get("time"))), 0.0)
    request = next((r for r in records if r.get("kind") == "request"), {})
    file = _text(request.get("file"))
    engine, before, after = "", "", ""
    attempts: list[Attempt] = []
    events: list[Event] = []
    failing_before: tuple[str, ...] = ()
    verified: bool | None = None
    outcome = "the loop did not finish"
    for record in records:
        kind = _text(record.get("kind"))
        moment = record.get("time")
        seconds = round(float(moment) - start, 3) if isinstance(moment, (int, float)) else 0.0
        if kind == "candidate":
            lines = record.get("lines")
            reason = _text(record.get("reason"))
            verdict = _text(record.get("outcome"))
            snippet = _text(record.get("text"))
            attempts.append(
                Attempt(
                    index=len(attempts) + 1,
                    seconds=seconds,
                    engine=engine,
                    summary=_text(record.get("origin")),
                    verdict=verdict,
                    reason=reason,
                    lines=_span(lines),
                    diff=_diff(source.text if source else None, file, lines, snippet),
                    text=snippet,
                    failing=tuple(_text(t) for t in record.get("failing") or ()),
                    ms=int(record.get("ms") or 0),
                )
            )
            continue
        if kind == "engine":
            engine = _text(record.get("name"))
        elif kind == "baseline_fresh":
            before = _text(record.get("summary"))
        elif kind == "baseline":
            before = before or _text(record.get("summary"))
            # Test ids only: a script or command oracle has one pseudo-test named after it.
            failing_before = tuple(
                _text(t)
                for t in record.get("failing") or ()
                if _text(t) not in ("script", "command")
            )
        elif kind == "result":
            verified = bool(record.get("verified"))
            if verified:
                outcome = f"verified: {_text(record.get('origin'))}"
                attempts = _mark_winner(attempts, _text(record.get("origin")), source)
                winner = next((a for a in attempts if a.verdict == "verified"), None)
                after = winner.reason.removeprefix("verified: ") if winner else ""
            elif record.get("nothing_to_fix"):
                outcome = "nothing to fix: the oracle passes"
            else:
                outcome = f"no verified fix: {_text(record.get('reason'))}"
        if kind in _EVENT_TEXT:
            fields = {key: _text(value) for key, value in record.items()}
            with contextlib.suppress(KeyError, IndexError, ValueError):
                events.append(Event(seconds, kind, _EVENT_TEXT[kind].format(**fields)))
    budget = request.get("budget")
    return TranscriptView(
        path=path,
        uri=source.uri if source else None,
        file=file,
        oracle=_text(request.get("oracle")),
        engines=tuple(_text(e) for e in request.get("engines") or ()),
        sandbox=source.sandbox if source else "unknown",
        budget=float(budget) if isinstance(budget, (int, float)) else None,
        verified=verified,
        proof=f"{before} -> {after}" if verified and before and after else "",
        outcome=outcome,
        failing_before=failing_before,
        attempts=tuple(attempts),
        events=tuple(events),
    )


def _mark_winner(
    attempts: list[Attempt], origin: str, source: TranscriptSource | None
) -> list[Attempt]:
    """The attempts with only the fix the loop returned marked "verified" (with the fix's own
    diff); the other proven candidates, which the search compared and ranked after it, become
    "proven"."""
    proven = [a for a in attempts if a.verdict == "verified"]
    chosen = next((a for a in reversed(proven) if a.summary == origin), None)
    marked = []
    for attempt in attempts:
        if attempt is chosen:
            diff = source.fix_diff if source and source.fix_diff else attempt.diff
            attempt = replace(attempt, diff=diff)
        elif attempt.verdict == "verified":
            attempt = replace(
                attempt, verdict="proven", reason=f"{attempt.reason}; ranked after the fix"
            )
        marked.append(attempt)
    return marked


def _source_for(server: ServerContext, uri: Any) -> TranscriptSource | None:
    state = server.documents.peek(uri) if isinstance(uri, str) else None
    return (state.transcript if state else None) or server.documents.last_transcript


async def transcript_command(server: ServerContext, args: tuple[Any, ...]) -> dict[str, Any]:
    raw = argument(args) if args else {}
    source = _source_for(server, raw.get("uri"))
    if source is None:
        raise CommandError("no transcript yet: run a fix first", ErrorCode.NO_TRANSCRIPT)
    # Reading up to 4 MB and diffing every candidate: off the event loop.
    return await asyncio.to_thread(_read_transcript, source)


def _read_transcript(source: TranscriptSource) -> dict[str, Any]:
    try:
        with open(source.path, encoding="utf-8", errors="replace") as handle:
            text = handle.read(MAX_TRANSCRIPT_BYTES)
    except OSError as exc:
        raise CommandError(
            f"cannot read the transcript {source.path}: {exc}", ErrorCode.NO_TRANSCRIPT
        ) from exc
    records = parse_lines(text)
    return {
        "ok": True,
        "path": source.path,
        "uri": source.uri,
        "entries": records,
        "view": build_view(records, source.path, source).to_json(),
        "truncated": len(text) >= MAX_TRANSCRIPT_BYTES,
    }
