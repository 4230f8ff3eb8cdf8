"""Read the stock sheet (CSV exported from the till)."""

import csv
from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    name: str
    supplier: str
    on_hand: int
    minimum: int
    batch: int


def read_stock(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            Item(row["name"], row["supplier"], int(row["on_hand"]), int(row["minimum"]), int(row["batch"]))
            for row in csv.DictReader(handle)
        ]
