"""Hidden checks for pricing_rules: every tier boundary, VAT rounding both ways, big coupons."""
from pathlib import Path

import pytest

from pricing.cart import price_cart, vat_cents
from pricing.catalog import Product, load_catalog
from pricing.discounts import volume_discount_percent

CATALOG = load_catalog(Path(__file__).resolve().parents[1] / "tests" / "data" / "catalog.json")


@pytest.mark.parametrize("quantity, percent", [(49, 10), (50, 15), (11, 5), (21, 10), (0, 0)])
def test_tier_boundaries(quantity, percent):
    assert volume_discount_percent(quantity) == percent


def test_vat_rounds_down_below_half_a_cent():
    assert vat_cents([(Product("x", "x", 0, 0.19), 101)]) == 19


def test_vat_rounds_up_from_half_a_cent():
    assert vat_cents([(Product("x", "x", 0, 0.07), 250)]) == 18


def test_amount_coupon_larger_than_the_cart():
    assert price_cart(CATALOG, {"NB-033": 1}, coupon="FIVEOFF") == {"net": 0, "vat": 0, "total": 0}


def test_empty_cart():
    assert price_cart(CATALOG, {}) == {"net": 0, "vat": 0, "total": 0}


def test_amount_coupon_spreads_over_both_rates():
    result = price_cart(CATALOG, {"BK-101": 1, "MG-220": 1}, coupon="FIVEOFF")
    assert result == {"net": 1649, "vat": 194, "total": 1843}
