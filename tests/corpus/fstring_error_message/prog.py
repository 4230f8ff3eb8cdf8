"""Order lines for a bakery: validation with messages that tell the customer what went wrong."""

from dataclasses import dataclass

MENU = {"baguette": 1.20, "croissant": 0.95, "sourdough": 4.50}


class OrderError(ValueError):
    pass


@dataclass(frozen=True)
class OrderLine:
    product: str
    quantity: int

    @property
    def price(self):
        return round(MENU[self.product] * self.quantity, 2)


def parse_line(text):
    """'3 croissant' -> OrderLine('croissant', 3), with a clear error for bad input."""
    count, _, product = text.strip().partition(" ")
    product = product.strip().lower()
    if product not in MENU:
        raise OrderError(f"we do not bake {product!r}")
    quantity = int(count)
    if quantity <= 0:
        raise OrderError("quantity must be positive, got {quantity} for {product}")
    return OrderLine(product, quantity)


def order_total(lines):
    return round(sum(parse_line(line).price for line in lines), 2)
