"""Hidden checks for shipping_rates: every bracket limit and the values just above it."""
import pytest

from shipping.rates import BRACKETS, TooHeavy, base_price, quote


@pytest.mark.parametrize("index", range(len(BRACKETS)))
def test_limit_belongs_to_its_bracket(index):
    limit, price = BRACKETS[index]
    assert base_price(limit) == price


@pytest.mark.parametrize("index", range(len(BRACKETS) - 1))
def test_just_above_a_limit_is_the_next_bracket(index):
    limit = BRACKETS[index][0]
    assert base_price(limit + 0.01) == BRACKETS[index + 1][1]


def test_just_over_the_maximum():
    with pytest.raises(TooHeavy):
        base_price(31.51)


def test_insurance_minimum():
    assert quote(2.0, "DE", insured=True) == 6.9
