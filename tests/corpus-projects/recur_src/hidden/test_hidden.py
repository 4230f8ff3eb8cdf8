"""Hidden checks for recur_src: every month length, negative steps, non-leap Februaries."""
from datetime import date

import pytest

from recur.months import add_months
from recur.rules import Rule


@pytest.mark.parametrize("months, expected", [
    (1, date(2023, 2, 28)), (2, date(2023, 3, 31)), (3, date(2023, 4, 30)), (12, date(2024, 1, 31)),
])
def test_from_the_31st_of_january_2023(months, expected):
    assert add_months(date(2023, 1, 31), months) == expected


def test_going_back():
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2024, 1, 10), -13) == date(2022, 12, 10)


def test_early_days_are_kept():
    assert [d.day for d in Rule("monthly", count=12).occurrences(date(2025, 1, 7))] == [7] * 12


def test_quarterly_from_the_30th():
    dates = Rule("monthly", interval=3, count=4).occurrences(date(2024, 11, 30))
    assert dates == [date(2024, 11, 30), date(2025, 2, 28), date(2025, 5, 30), date(2025, 8, 30)]
