"""Hidden checks for class_attr_bus_script: each bus delivers only to its own subscribers."""
import subprocess
import sys
from pathlib import Path


def test_output():
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("prog.py"))],
        capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "publishing 2 orders",
        "orders bus delivered 2, shipped [101, 102]",
        "audit bus delivered 1: ['seen 101']",
    ]
