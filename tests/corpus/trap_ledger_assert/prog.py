"""A double-entry style ledger that checks its own balance after every posting."""


class Ledger:
    def __init__(self, name):
        self.name = name
        self.entries = []
        self.balance = 0

    def post(self, amount, memo):
        """Record an amount (positive in, negative out) and keep the running balance."""
        self.entries.append((amount, memo))
        self.balance -= amount
        assert self.balance == sum(value for value, _ in self.entries), "ledger out of balance"

    def memos(self):
        return [memo for _, memo in self.entries]

    def statement(self):
        return [f"{memo:<10}{amount:>8.2f}" for amount, memo in self.entries]
