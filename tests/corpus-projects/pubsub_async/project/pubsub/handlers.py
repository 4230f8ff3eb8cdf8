"""Subscribers used by the notification service."""

import asyncio


class Outbox:
    """Collects messages instead of sending them (what tests and dry runs use)."""

    def __init__(self):
        self.messages = []

    async def email(self, event):
        await asyncio.sleep(0)
        self.messages.append(f"email to {event.payload['customer']}: {event.topic}")

    def audit(self, event):
        self.messages.append(f"audit {event.topic}")
