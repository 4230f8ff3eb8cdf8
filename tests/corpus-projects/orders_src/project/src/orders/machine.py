"""Transitions between states, with their side effects recorded in the order history."""

from orders.rules import can_cancel, refund_due

TRANSITIONS = {
    ("new", "pay"): "paid",
    ("paid", "ship"): "shipped",
    ("shipped", "deliver"): "delivered",
}


class InvalidTransition(Exception):
    pass


def apply(order, event):
    if event == "cancel":
        if not can_cancel(order):
            raise InvalidTransition(f"order {order.id} cannot be cancelled once {order.status}")
        order.refunded_cents = refund_due(order)
        order.status = "cancelled"
    else:
        try:
            order.status = TRANSITIONS[(order.status, event)]
        except KeyError:
            raise InvalidTransition(f"cannot {event} an order that is {order.status}") from None
    order.history.append(event)
    return order


def run(order, events):
    for event in events:
        apply(order, event)
    return order
