from datetime import date

from prog import TODAY, days_overdue, fine, parse_due


def test_parse():
    assert parse_due("2024-03-05") == date(2024, 3, 5)


def test_days_overdue():
    assert days_overdue("2024-03-01", TODAY) == 9


def test_fine():
    assert fine("2024-03-06", TODAY) == 1.0
