"""Hidden checks for salesreport_script: the printed report, and shares on other data."""
import subprocess
import sys
from pathlib import Path

import pytest

from salesreport.aggregate import region_shares
from salesreport.load import Sale

ROOT = Path(__file__).resolve().parents[1]


def test_report():
    done = subprocess.run(
        [sys.executable, "build_report.py"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "Sales report (10 lines)",
        "----------------------------------",
        "south       1,426.50   30.7%",
        "east        1,204.50   25.9%",
        "north       1,118.30   24.1%",
        "west          893.10   19.2%",
        "total       4,642.40",
        "Best sellers (units)",
        "----------------------------------",
        "kettle                  41",
        "toaster                 27",
        "blender                 10",
    ]


def test_single_region_has_the_whole_share():
    assert region_shares([Sale("x", "s", "p", 2, 5.0)]) == [("x", 10.0, 1.0)]


def test_shares_add_up():
    sales = [Sale(r, "s", "p", 1, price) for r, price in [("a", 1.0), ("b", 3.0), ("a", 4.0)]]
    shares = region_shares(sales)
    assert [region for region, _, _ in shares] == ["a", "b"]
    assert sum(share for _, _, share in shares) == pytest.approx(1.0)
