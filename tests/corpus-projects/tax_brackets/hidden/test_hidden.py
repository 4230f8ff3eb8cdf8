"""Hidden checks for tax_brackets: just above every threshold, both years, rates."""
import pytest

from taxes.brackets import TABLES
from taxes.compute import effective_rate, income_tax


@pytest.mark.parametrize("year", sorted(TABLES))
def test_one_unit_above_each_threshold(year):
    brackets = TABLES[year]
    for start, rate in brackets[1:]:
        below, above = income_tax(start, year), income_tax(start + 100, year)
        assert above - below == pytest.approx(100 * rate, abs=0.01)


def test_top_bracket_2023():
    assert income_tax(200_000, 2023) == pytest.approx(33_610.0)


def test_effective_rate_of_a_high_income():
    assert effective_rate(400_000) == 0.2021
