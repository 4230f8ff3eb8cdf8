import json
from pathlib import Path

from logscan.summary import errors_by_logger, level_counts, slowest

LINES = [c["line"] for c in json.loads((Path(__file__).parent / "data" / "lines.json").read_text())]


def test_level_counts():
    assert level_counts(LINES) == {"ERROR": 1, "INFO": 3, "WARNING": 1, "DEBUG": 1, "CRITICAL": 1}


def test_slowest():
    assert [ms for ms, _ in slowest(LINES)] == [231, 12, 3]


def test_errors_by_logger():
    assert errors_by_logger(LINES) == [("payments", 1), ("web", 1)]
