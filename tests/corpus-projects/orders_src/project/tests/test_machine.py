import pytest

import orders.machine
from orders.model import Order


class TestHappyPath:
    def test_full_life(self):
        order = orders.machine.run(Order("A1", 2500), ["pay", "ship", "deliver"])
        assert (order.status, order.history) == ("delivered", ["pay", "ship", "deliver"])

    def test_cannot_ship_unpaid(self):
        with pytest.raises(orders.machine.InvalidTransition):
            orders.machine.apply(Order("A2", 100), "ship")


@pytest.mark.cancellation
class TestCancellation:
    def test_cancel_new_order(self):
        order = orders.machine.apply(Order("B1", 900), "cancel")
        assert (order.status, order.refunded_cents) == ("cancelled", 0)

    def test_cancel_paid_order_refunds(self):
        order = orders.machine.run(Order("B2", 1200), ["pay", "cancel"])
        assert order.refunded_cents == 1200

    def test_cannot_cancel_shipped(self):
        with pytest.raises(orders.machine.InvalidTransition):
            orders.machine.run(Order("B3", 500), ["pay", "ship", "cancel"])

    def test_cancel_free_order(self):
        order = orders.machine.run(Order("B4", 0), ["pay", "cancel"])
        assert (order.status, order.refunded_cents) == ("cancelled", 0)
