"""A real-world-shaped project for the context tests: a package, two conftest.py files with
fixtures (one depending on another, across the two files), parametrize cases from a CSV file,
pytest configuration in pyproject.toml, and one bug.

The bug: `billable_kg` floors the weight where it should count started kilograms. So two CSV
cases of `test_parcel_cost` fail on an assertion (expected against actual), and
`cost_per_kilo` divides by zero for a letter under a kilogram: an exception inside the target,
whose locals the model should see. Options add what a single test needs: huge locals, huge
output, hundreds of failing cases, a secret, a slow failing test.
"""

from __future__ import annotations

from pathlib import Path

TARGET = "shipping/cost.py"
TESTS = "tests/test_cost.py"

COST = '''"""Parcel costs: a base price per zone and a price per started kilogram."""

from shipping.zones import zone_of


def billable_kg(weight_grams):
    """Started kilograms: 1 to 1000 g is one kilogram."""
    return weight_grams // 1000


def parcel_cost(weight_grams, country, table):
    zone = zone_of(country)
    base, per_kg = table[zone]
    return base + per_kg * billable_kg(weight_grams)


def cost_per_kilo(weight_grams, country, table):
    kilos = billable_kg(weight_grams)
    cost = parcel_cost(weight_grams, country, table)
{extra}    return round(cost / kilos, 2)
'''
BUGGY_LINE = "    return weight_grams // 1000"
GOOD = (
    "Count started kilograms:\n```python\ndef billable_kg(weight_grams):\n"
    '    """Started kilograms: 1 to 1000 g is one kilogram."""\n'
    "    return -(-weight_grams // 1000)\n```"
)
# Turns the fast failing tests green, not a 20.5 kg parcel (round() rounds half to even).
PARTIAL = (
    "```python\ndef billable_kg(weight_grams):\n"
    '    """Started kilograms: 1 to 1000 g is one kilogram."""\n'
    "    return max(1, round(weight_grams / 1000))\n```"
)
STILL_WRONG = (
    "```python\ndef billable_kg(weight_grams):\n"
    '    """Started kilograms: 1 to 1000 g is one kilogram."""\n'
    "    return weight_grams // 1000 + 0\n```"
)

FILES = {
    "pyproject.toml": """[project]
name = "shipping"
version = "0.3.0"

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "--strict-markers"
markers = ["slow: a test that talks to the rate service"]
""",
    "shipping/__init__.py": '"""Shipping costs for the order service."""\n',
    "shipping/zones.py": '''"""Countries by shipping zone."""

ZONES = {"DE": 1, "FR": 2, "US": 3}


def zone_of(country):
    return ZONES[country]
''',
    "conftest.py": '''import json
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def price_table():
    """Base price and price per kilogram in cents, by zone, as the shop exports them."""
    raw = json.loads((Path(__file__).parent / "tests" / "data" / "prices.json").read_text())
    return {int(zone): tuple(row) for zone, row in raw.items()}
''',
    "tests/conftest.py": '''import pytest

from shipping import zones


@pytest.fixture
def table(price_table, monkeypatch):
    """The price table, with a test zone 9 for made-up countries."""
    monkeypatch.setitem(zones.ZONES, "XX", 9)
    return {**price_table, 9: (100, 10)}
''',
    "tests/data/prices.json": '{"1": [450, 100], "2": [700, 150], "3": [1500, 400]}\n',
    "tests/data/parcels.csv": """weight_grams,country,expected
1000,DE,550
1500,DE,650
2000,FR,1000
250,US,1900
""",
    TESTS: """import csv
from pathlib import Path

import pytest

from shipping.cost import cost_per_kilo, parcel_cost

with open(Path(__file__).parent / "data" / "parcels.csv", newline="") as handle:
    CASES = list(csv.DictReader(handle))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['weight_grams']}g-{c['country']}")
def test_parcel_cost(case, table):
    assert parcel_cost(int(case["weight_grams"]), case["country"], table) == int(case["expected"])


def test_cost_per_kilo_of_a_letter(table):
    print("pricing an 800 g letter to FR")
    assert cost_per_kilo(800, "FR", table) == 850.0


def test_made_up_country(table):
    assert parcel_cost(1000, "XX", table) == 110
""",
}

SLOW_TEST = """

@pytest.mark.slow
def test_heavy_parcel(table):
    import time

    time.sleep(0.3)  # the rate service
    assert parcel_cost(20500, "US", table) == 1500 + 400 * 21
"""
MANY_TESTS = """

@pytest.mark.parametrize("weight", range(1, 1000, 2))
def test_every_letter_weight(weight, table):
    assert cost_per_kilo(weight, "DE", table) == 550.0
"""
LOUD_TEST = """

def test_loud_letter(table):
    print("LOUD-START")
    print("y" * 50_000_000)
    print("LOUD-END")
    assert cost_per_kilo(500, "DE", table) == 550.0
"""


def write_project(root: Path, *, extra: str = "", tests: str = "") -> Path:
    """The project under `root`; `extra` is inserted into `cost_per_kilo` before its division,
    `tests` appended to the test module."""
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + (tests if name == TESTS else ""))
    (root / TARGET).write_text(COST.format(extra=extra))
    return root


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)
