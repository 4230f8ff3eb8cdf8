"""The product catalogue, loaded from the JSON export of the shop system."""

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price_cents: int
    vat_rate: float  # 0.19 standard, 0.07 reduced


def load_catalog(path):
    with open(path, encoding="utf-8") as handle:
        rows = json.load(handle)
    return {row["sku"]: Product(row["sku"], row["name"], row["price_cents"], row["vat_rate"]) for row in rows}
