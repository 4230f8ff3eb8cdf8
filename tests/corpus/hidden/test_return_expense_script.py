"""Hidden checks for return_expense_script: the whole report, both sections filled in."""
import subprocess
import sys
from pathlib import Path


def test_report():
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("prog.py"))],
        capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "6 expenses",
        "by category",
        "  hotel     480.00",
        "  meals      59.00",
        "  train     179.00",
        "by person",
        "  ana       120.70",
        "  bo        267.80",
        "  cy        329.50",
        "grand total 718.00",
    ]
