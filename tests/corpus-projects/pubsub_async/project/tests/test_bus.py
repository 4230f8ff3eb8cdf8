import asyncio

from pubsub.bus import EventBus
from pubsub.handlers import Outbox


def wired():
    bus, outbox = EventBus(), Outbox()
    bus.subscribe("order.*", outbox.email)
    bus.subscribe("*", outbox.audit)
    return bus, outbox


def test_publish_reaches_sync_and_async_handlers():
    bus, outbox = wired()
    asyncio.run(bus.publish("order.paid", customer="ana"))
    assert sorted(outbox.messages) == ["audit order.paid", "email to ana: order.paid"]


def test_failing_handler_is_recorded():
    bus = EventBus()
    bus.subscribe("x", lambda event: 1 / 0)
    asyncio.run(bus.publish("x"))
    assert bus.failures == [("x", "ZeroDivisionError('division by zero')")]


def test_publish_all_in_order():
    bus, outbox = wired()
    asyncio.run(bus.publish_all([("order.created", {"customer": "bo"}), ("user.login", {})]))
    assert outbox.messages[-1] == "audit user.login"
    assert bus.delivered == 3
