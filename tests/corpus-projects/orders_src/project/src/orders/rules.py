"""Business rules: what may happen to an order in its current state."""

CANCELLABLE = ("new", "paid")


def can_cancel(order):
    """Any order that has not shipped yet can be cancelled, free orders (100 % coupons) included."""
    return order.status in CANCELLABLE and order.total_cents > 0


def refund_due(order):
    """Cents to give back when a paid order is cancelled."""
    return order.total_cents if order.status == "paid" else 0
