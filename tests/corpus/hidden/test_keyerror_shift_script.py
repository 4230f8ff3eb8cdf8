"""Hidden checks for keyerror_shift_script: every weekday listed in order, gaps shown."""
import subprocess
import sys
from pathlib import Path


def test_plan_output():
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("prog.py"))],
        capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "7 shifts booked",
        "Mon: Ana, Di",
        "Tue: Cy",
        "Wed: -",
        "Thu: -",
        "Fri: Ana",
        "Sat: Bo, Ed",
        "Sun: Cy",
        "days without staff: 2",
    ]
