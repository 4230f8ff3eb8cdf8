import csv
from pathlib import Path

import pytest

CASES = Path(__file__).parent / "cases"


def compare_rows():
    with open(CASES / "compare.csv", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def releases():
    """Every release of the project so far, oldest first."""
    return (CASES / "releases.txt").read_text().split()
