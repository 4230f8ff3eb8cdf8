"""Hidden checks for sensor_peaks_script: the printed summary, and peaks at both ends."""
import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def script_module():
    spec = importlib.util.spec_from_file_location("summarise_sensors", ROOT / "summarise_sensors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_summary():
    done = subprocess.run(
        [sys.executable, "summarise_sensors.py"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "humidity-1: 8 readings, 61..70, mean 66.00, peaks at [1, 4, 6]",
        "soil-2: 8 readings, 30..38, mean 33.62, peaks at [2, 5]",
        "temp-3: 8 readings, 18.5..22.0, mean 20.50, peaks at [2, 4]",
        "3 sensors",
    ]


def test_peaks_never_at_the_ends():
    peaks = script_module().local_peaks
    assert peaks([5, 1, 5]) == []
    assert peaks([1, 5, 1]) == [1]
    assert peaks([1, 2, 3, 4]) == []


def test_short_series():
    peaks = script_module().local_peaks
    assert peaks([]) == [] and peaks([7]) == [] and peaks([1, 2]) == []
