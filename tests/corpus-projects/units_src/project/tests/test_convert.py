import csv
from pathlib import Path

import pytest

from units.convert import IncompatibleUnits, convert, convert_text
from units.registry import UnknownUnit

with open(Path(__file__).parent / "cases" / "conversions.csv", newline="") as handle:
    ROWS = list(csv.DictReader(handle))


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r['value']}{r['from']}-{r['to']}")
def test_table(row):
    result = convert(float(row["value"]), row["from"], row["to"])
    assert result == pytest.approx(float(row["expected"]), abs=1e-5)


def test_incompatible():
    with pytest.raises(IncompatibleUnits):
        convert(1, "kg", "m")


def test_unknown():
    with pytest.raises(UnknownUnit):
        convert(1, "parsec", "m")


@pytest.mark.temperature
def test_text():
    assert convert_text("98.6 fahrenheit", "C", digits=1) == "37 C"
