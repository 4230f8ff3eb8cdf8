"""Month arithmetic that keeps the day of the month where it can."""

from calendar import monthrange
from datetime import date


def add_months(start, months):
    """The same day `months` later; clamped to the last day of shorter months (Jan 31 -> Feb 29)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    day = min(start.day, monthrange(year, month)[0])
    return date(year, month, day)


def last_day_of_month(day):
    return date(day.year, day.month, monthrange(day.year, day.month)[1])
