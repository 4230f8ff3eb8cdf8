"""Topics, subscribers (sync or async callables) and delivery."""

import asyncio
import fnmatch
import inspect
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Event:
    topic: str
    payload: dict = field(default_factory=dict)


class EventBus:
    def __init__(self):
        self._subscribers = defaultdict(list)
        self.delivered = 0
        self.failures = []

    def subscribe(self, pattern, handler):
        """`pattern` may use shell wildcards: 'order.*' matches 'order.paid'."""
        self._subscribers[pattern].append(handler)

    def _handlers_for(self, topic):
        for pattern, handlers in self._subscribers.items():
            if fnmatch.fnmatchcase(topic, pattern):
                yield from handlers

    async def _deliver(self, handler, event):
        try:
            result = handler(event)
            if inspect.isawaitable(result):
                await result
            self.delivered += 1
        except Exception as exc:  # one failing subscriber must not stop the others
            self.failures.append((event.topic, repr(exc)))

    async def publish(self, topic, **payload):
        event = Event(topic, payload)
        await asyncio.gather(*(self._deliver(h, event) for h in self._handlers_for(topic)))
        return event

    async def publish_all(self, events):
        for topic, payload in events:
            self.publish(topic, **payload)
