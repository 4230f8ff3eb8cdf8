import json
from pathlib import Path

import pytest

from shipping.rates import TooHeavy, base_price, quote
from shipping.zones import UnknownDestination

CASES = json.loads((Path(__file__).parent / "cases" / "quotes.json").read_text())


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['weight']}kg-{c['country']}")
def test_quote_table(case):
    assert quote(case["weight"], case["country"], case["insured"]) == case["price"]


def test_light_parcel():
    assert base_price(0.2) == 4.50


def test_too_heavy():
    with pytest.raises(TooHeavy):
        base_price(40)


def test_zero_weight():
    with pytest.raises(ValueError):
        base_price(0)


@pytest.mark.international
def test_unknown_country():
    with pytest.raises(UnknownDestination):
        quote(1, "XX")
