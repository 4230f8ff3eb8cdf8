from pathlib import Path

import pytest

from pricing.catalog import load_catalog


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(Path(__file__).parent / "data" / "catalog.json")


@pytest.fixture
def coupons():
    """The coupon table, restored after a test that adds a temporary code."""
    import pricing.discounts

    saved = dict(pricing.discounts.COUPONS)
    yield pricing.discounts.COUPONS
    pricing.discounts.COUPONS.clear()
    pricing.discounts.COUPONS.update(saved)
