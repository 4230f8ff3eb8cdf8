"""Read the point-of-sale export (CSV) into Sale records."""

import csv
from dataclasses import dataclass


@dataclass(frozen=True)
class Sale:
    region: str
    store: str
    product: str
    units: int
    unit_price: float

    @property
    def revenue(self):
        return self.units * self.unit_price


def load_sales(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            Sale(row["region"], row["store"], row["product"], int(row["units"]), float(row["unit_price"]))
            for row in csv.DictReader(handle)
        ]
