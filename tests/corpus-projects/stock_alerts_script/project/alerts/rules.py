"""What to reorder, and how much, grouped into one purchase order per supplier."""


def below_minimum(items):
    return [item for item in items if item.on_hand < item.minimum]


def order_quantity(item):
    """Whole batches, enough to get back above the minimum."""
    missing = item.minimum - item.on_hand
    batches = -(-missing // item.batch)
    return batches * item.batch


def purchase_orders(items):
    """{supplier: [(item name, quantity), ...]} for everything below its minimum."""
    orders = {}
    for item in below_minimum(items):
        orders[item.supplier].append((item.name, order_quantity(item)))
    return orders
