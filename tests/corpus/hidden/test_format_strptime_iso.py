"""Hidden checks for format_strptime_iso: seconds, midnight, month ends, wrong shapes."""
from datetime import datetime

import pytest

from prog import longest_gap, parse_stamp


def test_seconds_are_kept():
    assert parse_stamp("2023-12-31T23:59:59") == datetime(2023, 12, 31, 23, 59, 59)


def test_across_midnight_and_month():
    events = [{"at": "2024-01-31T23:50:00"}, {"at": "2024-02-01T00:20:00"}, {"at": "2024-02-01T00:25:00"}]
    assert longest_gap(events) == 30


def test_other_shapes_are_refused():
    with pytest.raises(ValueError):
        parse_stamp("01/05/2024 09:30")


def test_no_events():
    assert longest_gap([]) == 0
