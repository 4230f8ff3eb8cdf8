"""Hidden checks for trap_weekly_means_script: every day and the week's mean are printed."""
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
        "Mon: 13.75",
        "Tue: 12.88",
        "Wed: 12.00",
        "Thu: 15.00",
        "Fri: 16.50",
        "Sat: 17.75",
        "Sun: 15.50",
        "week: 14.77",
    ]
