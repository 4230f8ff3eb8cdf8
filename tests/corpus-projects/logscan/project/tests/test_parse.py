import json
from pathlib import Path

import pytest

from logscan.parse import parse_line

LINES = json.loads((Path(__file__).parent / "data" / "lines.json").read_text())


@pytest.mark.formats
@pytest.mark.parametrize("case", LINES, ids=lambda c: c["line"][:30] or "empty")
def test_parse_line(case):
    record = parse_line(case["line"])
    if case["level"] is None:
        assert record is None
    else:
        assert (record.level, record.logger, record.at.microsecond // 1000) == (
            case["level"], case["logger"], case["millis"],
        )
