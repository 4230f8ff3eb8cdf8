from datetime import date

import pytest

from recur.describe import describe
from recur.months import add_months, last_day_of_month
from recur.rules import Rule


class TestDailyAndWeekly:
    def test_daily(self):
        assert Rule("daily", count=3).occurrences(date(2024, 2, 28)) == [
            date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1),
        ]

    def test_fortnightly(self):
        assert Rule("weekly", interval=2, count=2).occurrences(date(2024, 1, 1))[-1] == date(2024, 1, 15)

    def test_invalid(self):
        with pytest.raises(ValueError):
            Rule("yearly")


class TestMonthly:
    def test_same_day_next_month(self):
        assert add_months(date(2024, 1, 15), 1) == date(2024, 2, 15)

    def test_clamped_to_month_end(self):
        assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)

    def test_year_boundary(self):
        assert add_months(date(2023, 11, 20), 3) == date(2024, 2, 20)

    def test_rent_on_the_31st(self):
        dates = Rule("monthly", count=4).occurrences(date(2024, 1, 31))
        assert [d.day for d in dates] == [31, 29, 31, 30]


def test_last_day():
    assert last_day_of_month(date(2023, 2, 10)) == date(2023, 2, 28)


def test_describe():
    assert describe(Rule("monthly", interval=3, count=4)) == "every 3 months, 4 times"
