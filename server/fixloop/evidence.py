"""How a fix's evidence is said: `evidence_of` names what proved it, `summary_line` is the one
line the CLI prints and the editor's notifications reuse ("verified fix: ... (engine offline, 42
candidates, 3.1s; tests: 1 failing -> 5/5 pass; proof: ...)", an uncertain fix with the input
where its rivals disagree, or why there is none)."""

from __future__ import annotations

from fixloop.fixes import FixResult, Proof

__all__ = ["evidence_of", "summary_line"]


def evidence_of(kind: str, proof: Proof) -> str:
    """What a fix was proven against, in the words the CLI and the editor show as they are."""
    before, after = proof.before, proof.after
    if before.status == "passed" and kind == "tests":
        return f"tests: {after.passed}/{after.passed + after.failed} pass (before and after)"
    if before.status == "passed" and kind == "command":
        return f"command: {after.summary} (before and after)"
    if before.status == "passed":
        return "runs without error (before and after; no tests)"
    if kind == "tests":
        failing = f"{before.failed} failing" + (" (timeout)" if before.status == "timeout" else "")
        return f"tests: {failing} -> {after.passed}/{after.passed + after.failed} pass"
    if kind == "command":
        return f"command: {before.summary} -> {after.summary}"
    return "runs without error (no tests)"


def summary_line(result: FixResult) -> str:
    """One line for the CLI's stderr and the editor's notifications."""
    seconds = result.duration_ms / 1000
    head = f"engine {result.engine}, {result.candidates_tried} candidates, {seconds:.1f}s"
    if result.nothing_to_fix:
        return f"nothing to fix ({head})"
    if result.verified and result.proof is not None and result.uncertain:
        return (
            f"uncertain fix: {result.summary} ({head}; {result.evidence}; proof: "
            f"{result.proof.short()}; but candidates that pass the same checks disagree on "
            f"{len(result.disagreements)} input(s), e.g. {result.disagreements[0].text()})"
        )
    if result.verified and result.proof is not None:
        return f"verified fix: {result.summary} ({head}; {result.evidence}; proof: {result.proof.short()})"
    return f"no verified fix: {result.reason} ({head})"
