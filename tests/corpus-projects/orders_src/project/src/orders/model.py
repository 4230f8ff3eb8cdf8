"""The order record."""

from dataclasses import dataclass, field


@dataclass
class Order:
    id: str
    total_cents: int
    status: str = "new"  # new -> paid -> shipped -> delivered; or cancelled
    history: list = field(default_factory=list)
    refunded_cents: int = 0
