import json
from pathlib import Path

import pytest

from phones.normalize import InvalidNumber, same_number, to_e164

NUMBERS = json.loads((Path(__file__).parent / "data" / "numbers.json").read_text())


@pytest.mark.parametrize("case", NUMBERS, ids=lambda c: f"{c['country']}:{c['typed']}")
def test_to_e164(case):
    assert to_e164(case["typed"], case["country"]) == case["e164"]


def test_same_number_written_two_ways():
    assert same_number("+49 30 1234567", "030-1234567", "DE")


@pytest.mark.parametrize("typed", ["12345", "030 12", "+49 30 12a4567", "5551234567"])
def test_invalid(typed):
    with pytest.raises(InvalidNumber):
        to_e164(typed, "DE")
