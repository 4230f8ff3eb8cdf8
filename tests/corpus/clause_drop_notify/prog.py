"""Decide who gets a notification about an incident (push when online, e-mail otherwise)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Subscriber:
    name: str
    subscribed: bool
    online: bool
    min_severity: int = 1


def should_notify(subscriber, severity):
    """Subscribers hear about incidents at or above their chosen severity."""
    return subscriber.subscribed and severity >= subscriber.min_severity and subscriber.online


def channel(subscriber):
    return "push" if subscriber.online else "email"


def recipients(subscribers, severity):
    return [(s.name, channel(s)) for s in subscribers if should_notify(s, severity)]
