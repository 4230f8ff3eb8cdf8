"""A shopping cart per customer session."""

PRICES = {"tea": 3.5, "mug": 8.0, "honey": 6.25}


class ShoppingCart:
    items = []

    def __init__(self, owner):
        self.owner = owner

    def add(self, sku, quantity=1):
        if sku not in PRICES:
            raise KeyError(f"unknown product {sku}")
        self.items.append((sku, quantity))

    def total(self):
        return sum(PRICES[sku] * quantity for sku, quantity in self.items)

    def __len__(self):
        return sum(quantity for _, quantity in self.items)
