"""Stock levels and reservations for small warehouses."""

__version__ = "1.4.2"
