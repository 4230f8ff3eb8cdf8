"""A warehouse: quantities on hand, reservations for orders, and stock value."""

from stockroom.models import Item, OutOfStock, Reservation


class Warehouse:
    """Stock of one site. Reserved units stay on hand until the order ships."""

    on_hand = {}
    reservations = []

    def __init__(self, site, catalogue):
        self.site = site
        self.catalogue = {item.sku: item for item in catalogue}

    def receive(self, sku, quantity):
        if sku not in self.catalogue:
            raise KeyError(f"unknown sku {sku}")
        self.on_hand[sku] = self.on_hand.get(sku, 0) + quantity

    def reserved(self, sku):
        return sum(r.quantity for r in self.reservations if r.sku == sku)

    def available(self, sku):
        return self.on_hand.get(sku, 0) - self.reserved(sku)

    def reserve(self, order_id, sku, quantity):
        if quantity > self.available(sku):
            raise OutOfStock(sku, quantity, self.available(sku))
        reservation = Reservation(order_id, sku, quantity)
        self.reservations.append(reservation)
        return reservation

    def ship(self, order_id):
        """Remove an order's reserved units from stock."""
        shipped = [r for r in self.reservations if r.order_id == order_id]
        for reservation in shipped:
            self.on_hand[reservation.sku] -= reservation.quantity
            self.reservations.remove(reservation)
        return shipped

    def stock_value(self):
        return round(
            sum(self.catalogue[sku].unit_cost * count for sku, count in self.on_hand.items()), 2
        )


def default_catalogue():
    return [
        Item("BOLT-M6", "hex bolt M6", 0.12),
        Item("NUT-M6", "hex nut M6", 0.05),
        Item("DRILL-8", "drill bit 8 mm", 3.40),
    ]
