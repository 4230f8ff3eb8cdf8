import pytest

from pricing.cart import line_net_cents, price_cart
from pricing.discounts import InvalidCoupon, volume_discount_percent


@pytest.mark.parametrize("quantity, percent", [(1, 0), (9, 0), (10, 5), (19, 5), (20, 10), (51, 15)])
def test_volume_tiers(quantity, percent):
    assert volume_discount_percent(quantity) == percent


def test_line_with_discount(catalog):
    assert line_net_cents(catalog["NB-033"], 10) == 3791


@pytest.mark.vat
def test_vat_rounds_to_the_nearest_cent(catalog):
    assert price_cart(catalog, {"MG-220": 1}) == {"net": 850, "vat": 162, "total": 1012}


@pytest.mark.vat
def test_mixed_rates(catalog):
    assert price_cart(catalog, {"BK-101": 2, "PN-005": 1}) == {"net": 5073, "vat": 652, "total": 5725}


@pytest.mark.coupons
def test_percent_coupon(catalog):
    assert price_cart(catalog, {"CF-500": 1}, coupon="welcome10")["net"] == 1071


@pytest.mark.coupons
def test_temporary_coupon(catalog, coupons):
    coupons["STAFF"] = ("percent", 50)
    assert price_cart(catalog, {"MG-220": 2}, coupon="STAFF")["net"] == 850


@pytest.mark.coupons
def test_unknown_coupon(catalog):
    with pytest.raises(InvalidCoupon):
        price_cart(catalog, {"MG-220": 1}, coupon="FREE")


@pytest.mark.coupons
@pytest.mark.vat
def test_coupon_reduces_vat(catalog):
    assert price_cart(catalog, {"CF-500": 1}, coupon="welcome10") == {"net": 1071, "vat": 75, "total": 1146}
