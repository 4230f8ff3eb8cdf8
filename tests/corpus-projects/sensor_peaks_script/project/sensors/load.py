"""Read the JSON dump of the sensor gateway."""

import json


def load_readings(path):
    """{sensor id: [readings in time order]} from the gateway's dump."""
    with open(path, encoding="utf-8") as handle:
        dump = json.load(handle)
    readings = {}
    for sample in sorted(dump["samples"], key=lambda s: s["t"]):
        readings.setdefault(sample["sensor"], []).append(sample["value"])
    return readings
