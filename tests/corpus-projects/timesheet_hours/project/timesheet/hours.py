"""Worked minutes of a shift: the span minus the statutory break."""

import os

# Shifts longer than this (minutes) include an unpaid break of BREAK_MINUTES.
BREAK_THRESHOLD = int(os.environ.get("TIMESHEET_BREAK_AFTER", 6 * 60))
BREAK_MINUTES = 30


def to_minutes(clock):
    """'07:45' -> 465."""
    hours, _, minutes = clock.strip().partition(":")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= value < 24 * 60:
        raise ValueError(f"not a time of day: {clock!r}")
    return value


def shift_minutes(span):
    """Worked minutes of '22:00-06:00'; a shift that ends before it starts ran past midnight."""
    start_text, _, end_text = span.partition("-")
    start, end = to_minutes(start_text), to_minutes(end_text)
    minutes = end - start
    if minutes > BREAK_THRESHOLD:
        minutes -= BREAK_MINUTES
    return minutes


def week_minutes(shifts):
    return sum(shift_minutes(span) for span in shifts)
