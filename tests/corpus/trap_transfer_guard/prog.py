"""Wallets that hold whole cents and move money between each other."""


class InsufficientFunds(Exception):
    pass


class Wallet:
    def __init__(self, owner, balance_cents=0):
        self.owner = owner
        self.balance_cents = balance_cents

    def transfer(self, amount, to):
        """Send `amount` (in euros, up to two decimals) to another wallet."""
        amount_cents = round(amount * 100)
        balance = self.balance_cents // 100
        if amount_cents > balance:
            raise InsufficientFunds(f"{self.owner} cannot send {amount:.2f}")
        self.balance_cents -= amount_cents
        to.balance_cents += amount_cents

    def __str__(self):
        return f"{self.owner}: {self.balance_cents / 100:.2f}"
