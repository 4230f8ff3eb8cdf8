"""Hidden checks for units_src: aliases work every time, in any case, and stay registered."""
import pytest

from units.convert import convert, convert_text
from units.registry import ALIASES, canonical


def test_same_alias_many_times():
    assert [canonical("Miles") for _ in range(3)] == ["mi", "mi", "mi"]


def test_aliases_are_not_consumed():
    before = dict(ALIASES)
    convert(1, "kilogram", "pounds")
    convert(2, "kilogram", "pounds")
    assert ALIASES == before


def test_round_trip_through_aliases():
    there = convert(7, "metres", "feet")
    assert convert(there, "feet", "metres") == pytest.approx(7)


def test_symbols_untouched():
    assert canonical(" K ") == "K"
    assert convert_text("1 kilometre", "m") == "1000 m"
