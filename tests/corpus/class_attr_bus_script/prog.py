"""Two in-process event buses, one for orders and one for the audit trail."""


class EventBus:
    """Publish/subscribe by topic name; counts what it delivered."""

    subscribers = {}

    def __init__(self, name):
        self.name = name
        self.delivered = 0

    def subscribe(self, topic, handler):
        self.subscribers.setdefault(topic, []).append(handler)

    def publish(self, topic, payload):
        for handler in self.subscribers.get(topic, []):
            handler(payload)
            self.delivered += 1


def main():
    orders, audit = EventBus("orders"), EventBus("audit")
    shipped, audit_log = [], []
    orders.subscribe("order.created", lambda order: shipped.append(order["id"]))
    audit.subscribe("order.created", lambda order: audit_log.append(f"seen {order['id']}"))

    print("publishing 2 orders")
    for order_id in (101, 102):
        orders.publish("order.created", {"id": order_id})
    if audit_log:
        raise RuntimeError(f"audit handlers ran for events of another bus: {audit_log}")
    print(f"orders bus delivered {orders.delivered}, shipped {shipped}")

    audit.publish("order.created", {"id": 101})
    print(f"audit bus delivered {audit.delivered}: {audit_log}")


if __name__ == "__main__":
    main()
