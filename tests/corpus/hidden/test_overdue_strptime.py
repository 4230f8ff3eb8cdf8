"""Hidden checks for overdue_strptime: month ends, leap days, not yet due, bad dates."""
from datetime import date

import pytest

from prog import TODAY, days_overdue, fine, overdue_titles, parse_due


def test_leap_day():
    assert parse_due("2024-02-29") == date(2024, 2, 29)
    assert days_overdue("2024-02-28", TODAY) == 11


def test_not_yet_due():
    assert days_overdue("2024-03-11", TODAY) == 0
    assert fine("2024-04-01", TODAY) == 0


def test_fine_is_capped():
    assert fine("2023-01-01", TODAY) == 10.0


def test_invalid_date():
    with pytest.raises(ValueError):
        parse_due("2024-02-30")


def test_overdue_titles():
    loans = [("Dune", "2024-03-09"), ("Emma", "2024-02-01"), ("Ulysses", "2024-04-01")]
    assert overdue_titles(loans, TODAY) == ["Emma", "Dune"]
