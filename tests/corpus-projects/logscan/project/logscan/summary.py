"""Counts and rankings over parsed records."""

from collections import Counter

from logscan.parse import parse_lines


def level_counts(lines):
    return dict(Counter(record.level for record in parse_lines(lines)))


def slowest(lines, count=3):
    timed = [(r.duration_ms, r.message) for r in parse_lines(lines) if r.duration_ms is not None]
    return sorted(timed, reverse=True)[:count]


def errors_by_logger(lines):
    counts = Counter(r.logger for r in parse_lines(lines) if r.level in ("ERROR", "CRITICAL"))
    return counts.most_common()
