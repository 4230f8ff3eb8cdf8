"""Recurring calendar events: daily, weekly and monthly rules."""
