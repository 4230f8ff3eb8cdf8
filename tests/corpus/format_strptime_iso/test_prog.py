from datetime import datetime

from prog import gaps_in_minutes, parse_stamp


def test_parse():
    assert parse_stamp("2024-05-01T09:30:00") == datetime(2024, 5, 1, 9, 30)


def test_gaps():
    events = [{"at": "2024-05-01T09:30:00"}, {"at": "2024-05-01T10:15:00"}]
    assert gaps_in_minutes(events) == [45]
