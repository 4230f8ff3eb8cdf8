"""Hidden checks for pubsub_async: batches of one, of none, and ordering across a batch."""
import asyncio

from pubsub.bus import EventBus
from pubsub.handlers import Outbox


def test_batch_of_one():
    bus, outbox = EventBus(), Outbox()
    bus.subscribe("*", outbox.audit)
    asyncio.run(bus.publish_all([("ping", {})]))
    assert outbox.messages == ["audit ping"]


def test_empty_batch():
    bus = EventBus()
    asyncio.run(bus.publish_all([]))
    assert bus.delivered == 0


def test_events_of_a_batch_are_delivered_in_order():
    bus, seen = EventBus(), []

    async def slow(event):
        await asyncio.sleep(0.01 if event.payload["n"] == 0 else 0)
        seen.append(event.payload["n"])

    bus.subscribe("tick", slow)
    asyncio.run(bus.publish_all([("tick", {"n": n}) for n in range(3)]))
    assert seen == [0, 1, 2]
