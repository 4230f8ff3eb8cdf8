"""An asyncio event bus for the notification service."""
