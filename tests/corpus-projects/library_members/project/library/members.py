"""Library members and the books they have out."""

from dataclasses import dataclass

MAX_LOANS = 5


class LoanLimit(Exception):
    pass


@dataclass(frozen=True)
class Loan:
    isbn: str
    due: str  # ISO date


class Member:
    def __init__(self, card, name, loans=[]):
        self.card = card
        self.name = name
        self.loans = loans

    def borrow(self, isbn, due):
        if len(self.loans) >= MAX_LOANS:
            raise LoanLimit(f"{self.name} already has {MAX_LOANS} books")
        self.loans.append(Loan(isbn, due))

    def give_back(self, isbn):
        self.loans = [loan for loan in self.loans if loan.isbn != isbn]

    def to_dict(self):
        return {"card": self.card, "name": self.name, "loans": [vars(loan) for loan in self.loans]}

    @classmethod
    def from_dict(cls, data):
        return cls(data["card"], data["name"], [Loan(**loan) for loan in data["loans"]])
