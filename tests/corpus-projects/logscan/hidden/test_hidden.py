"""Hidden checks for logscan: prefixes of any length, and text that only looks like a record."""
from logscan.parse import parse_line, parse_lines

RECORD = "2024-06-30 23:59:59,001 [t] INFO app: done took 5 ms"


def test_long_prefix():
    record = parse_line("k8s/pod-abc123/container-7 >> " + RECORD)
    assert record is not None and record.at.second == 59 and record.duration_ms == 5


def test_no_prefix():
    assert parse_line(RECORD).logger == "app"


def test_lowercase_level_is_not_a_record():
    assert parse_line("2024-06-30 23:59:59,001 [t] info app: x") is None


def test_mixed_batch():
    lines = ["x | " + RECORD, "noise", RECORD]
    assert len(parse_lines(lines)) == 2
