"""Hidden checks for timesheet_hours: midnight exactly, long nights, the break boundary."""
from timesheet.hours import shift_minutes, week_minutes


def test_ends_at_midnight():
    assert shift_minutes("18:00-00:00") == 360


def test_starts_at_midnight():
    assert shift_minutes("00:00-05:00") == 300


def test_one_minute_past_midnight():
    assert shift_minutes("23:59-00:01") == 2


def test_long_night_gets_a_break():
    assert shift_minutes("20:00-07:00") == 630


def test_break_boundary():
    assert shift_minutes("08:00-14:00") == 360
    assert shift_minutes("08:00-14:01") == 331


def test_week_with_nights():
    assert week_minutes(["22:00-06:00", "22:00-06:00", "09:00-12:00"]) == 1080
