"""Print, for each greenhouse sensor, its range, its mean and the local peaks of its readings.

Usage: python summarise_sensors.py [DUMP.json]
"""

import statistics
import sys
from pathlib import Path

from sensors.load import load_readings


def local_peaks(values):
    """Positions of readings higher than both neighbours."""
    return [
        i
        for i in range(1, len(values))
        if values[i] > values[i - 1] and values[i] > values[i + 1]
    ]


def describe(sensor, values):
    peaks = local_peaks(values)
    return (
        f"{sensor}: {len(values)} readings, {min(values)}..{max(values)}, "
        f"mean {statistics.mean(values):.2f}, peaks at {peaks}"
    )


def main(argv):
    path = Path(argv[1]) if len(argv) > 1 else Path(__file__).parent / "data" / "dump.json"
    readings = load_readings(path)
    for sensor in sorted(readings):
        print(describe(sensor, readings[sensor]))
    print(f"{len(readings)} sensors")


if __name__ == "__main__":
    main(sys.argv)
