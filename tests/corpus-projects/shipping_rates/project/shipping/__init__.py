"""Parcel shipping rates by weight bracket and destination zone."""

from shipping.rates import quote

__all__ = ["quote"]
