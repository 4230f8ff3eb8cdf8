"""Value types of the stockroom: items and reservations."""

from dataclasses import dataclass


class OutOfStock(Exception):
    def __init__(self, sku, wanted, available):
        super().__init__(f"{sku}: wanted {wanted}, only {available} available")
        self.sku = sku
        self.wanted = wanted
        self.available = available


@dataclass(frozen=True)
class Item:
    sku: str
    name: str
    unit_cost: float


@dataclass(frozen=True)
class Reservation:
    order_id: str
    sku: str
    quantity: int
