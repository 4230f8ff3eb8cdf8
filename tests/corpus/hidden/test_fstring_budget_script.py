"""Hidden checks for fstring_budget_script: the exact report the script prints."""
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
        "budget for the month",
        "groceries       360.25",
        "rent            950.00",
        "transport        86.10",
        "utilities       120.00",
        "total          1516.35",
    ]
