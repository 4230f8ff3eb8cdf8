"""The sweep as SARIF 2.1.0, for code-scanning uploads: each job is a result, each fix a `fixes` entry.

A failing module becomes one result located at the first line its fix changes (or line 1 when
there is no fix), with the job's failing tests in the message. A verified fix that is part of
the proven combined patch carries a `fixes` entry: one artifact change with one replacement,
the region deleted (by character offset and length in the original) and the text inserted.
Failing tests that point into no project module are listed as results without a location.
"""

from __future__ import annotations

from typing import Any

from fixloop import __version__
from fixloop.spans import common_prefix_length, common_suffix_length
from fixloop.sweep.model import JobResult, Verdict

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULE_FIXED = "fixloop/verified-fix"
RULE_UNFIXED = "fixloop/unfixed-failure"


def _replacement(original: str, fixed: str) -> tuple[int, int, str, int]:
    """(char offset, char length, inserted text, first changed line) of the smallest change."""
    prefix = common_prefix_length(original, fixed)
    suffix = common_suffix_length(original, fixed, min(len(original), len(fixed)) - prefix)
    inserted = fixed[prefix : len(fixed) - suffix]
    line = original.count("\n", 0, prefix) + 1
    return prefix, len(original) - suffix - prefix, inserted, line


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": RULE_FIXED,
            "name": "VerifiedFix",
            "shortDescription": {"text": "Failing tests with a fix the sandbox proved"},
            "defaultConfiguration": {"level": "warning"},
        },
        {
            "id": RULE_UNFIXED,
            "name": "UnfixedFailure",
            "shortDescription": {"text": "Failing tests without a verified fix"},
            "defaultConfiguration": {"level": "error"},
        },
    ]


def _message(result: JobResult) -> str:
    tests = ", ".join(result.tests[:10]) + (" ..." if len(result.tests) > 10 else "")
    if result.verdict is Verdict.FIXED:
        return f"{len(result.tests)} failing test(s) fixed: {result.summary} ({result.proof}). Tests: {tests}"
    why = f": {result.reason}" if result.reason else ""
    return f"{len(result.tests)} failing test(s), {result.verdict.value}{why}. Tests: {tests}"


def _result(result: JobResult, combined: set[str]) -> dict[str, Any]:
    fixed = result.verdict is Verdict.FIXED and result.job_id in combined
    line = 1
    entry: dict[str, Any] = {
        "ruleId": RULE_FIXED if fixed else RULE_UNFIXED,
        "level": "warning" if fixed else "error",
        "message": {"text": _message(result)},
        "properties": {
            "verdict": result.verdict.value,
            "tests": list(result.tests),
            "node": result.node,
            "durationMs": result.duration_ms,
        },
    }
    if fixed:
        offset, length, inserted, line = _replacement(result.original, result.fixed)
        entry["fixes"] = [
            {
                "description": {"text": result.summary or "verified fix"},
                "artifactChanges": [
                    {
                        "artifactLocation": {"uri": result.target, "uriBaseId": "%SRCROOT%"},
                        "replacements": [
                            {
                                "deletedRegion": {"charOffset": offset, "charLength": length},
                                "insertedContent": {"text": inserted},
                            }
                        ],
                    }
                ],
            }
        ]
    entry["locations"] = [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": result.target, "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": line},
            }
        }
    ]
    return entry


def sarif_log(
    results: list[JobResult], combined_jobs: set[str], unassigned: list[tuple[str, str]]
) -> dict[str, Any]:
    """The SARIF log; `combined_jobs` are the fixes in the proven patch, `unassigned` the
    failing tests (node id, message) that point at no project module."""
    entries = [_result(result, combined_jobs) for result in results]
    for nodeid, message in unassigned:
        entries.append(
            {
                "ruleId": RULE_UNFIXED,
                "level": "error",
                "message": {
                    "text": f"{nodeid} fails and points at no project module: {message[:500]}"
                },
            }
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fixloop",
                        "version": __version__,
                        "rules": _rules(),
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the project root"}}},
                "results": entries,
            }
        ],
    }
