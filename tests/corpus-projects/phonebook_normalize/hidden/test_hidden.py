"""Hidden checks for phonebook_normalize: national numbers of every country, kept digits."""
import pytest

from phones.normalize import to_e164


@pytest.mark.parametrize("typed, country, expected", [
    ("0171 2345678", "DE", "+491712345678"),
    ("07700 900123", "GB", "+447700900123"),
    ("044 668 18 00", "CH", "+41446681800"),
    ("1-800-555-0100", "US", "+18005550100"),
    ("06 12 34 56 78", "FR", "+33612345678"),
])
def test_national_numbers(typed, country, expected):
    assert to_e164(typed, country) == expected


def test_international_numbers_do_not_depend_on_the_country():
    assert {to_e164("+353 87 123 4567", c) for c in ("DE", "US", "IE")} == {"+353871234567"}
