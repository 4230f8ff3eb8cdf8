"""Hidden checks for price_lookup: known prices kept, unknown items free."""
from prog import price_of


def test_known():
    assert price_of("apple") == 3


def test_other_unknowns():
    assert price_of("") == 0
    assert price_of("Apple") == 0
