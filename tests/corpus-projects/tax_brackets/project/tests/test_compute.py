import json
from pathlib import Path

import pytest

from taxes.compute import effective_rate, income_tax, marginal_rate

RETURNS = json.loads((Path(__file__).parent / "data" / "returns_2024.json").read_text())


@pytest.mark.table
@pytest.mark.parametrize("case", RETURNS, ids=lambda c: str(c["income"]))
def test_income_tax(case):
    assert income_tax(case["income"]) == pytest.approx(case["tax"], abs=0.01)


def test_marginal_rate():
    assert [marginal_rate(x) for x in (5_000, 50_000, 500_000)] == [0.0, 0.12, 0.24]


def test_effective_rate_of_nothing():
    assert effective_rate(0) == 0.0


def test_other_year():
    assert income_tax(20_000, year=2023) == 950.0
