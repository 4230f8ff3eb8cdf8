"""Read the bank's CSV export into Transaction records."""

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Transaction:
    day: date
    description: str
    category: str
    amount: Decimal  # negative when money goes out


def parse_amount(text):
    """'1,200.50' -> Decimal('1200.50'); '-12.00' stays negative."""
    return Decimal(text.strip().replace(",", ""))


def parse_row(row):
    return Transaction(
        day=date.fromisoformat(row["date"]),
        description=row["description"].strip(),
        category=row["category"].strip().lower() or "other",
        amount=parse_amount(row["amount"]),
    )


def read_transactions(path):
    """Every transaction of an export, in file order (the header row is not one)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [parse_row(row) for row in csv.DictReader(handle)]


def read_statement(path):
    """(opening, closing) balances from the statement file ('opening=...', 'closing=...')."""
    values = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            key, _, value = line.partition("=")
            if value:
                values[key.strip()] = parse_amount(value)
    return values["opening"], values["closing"]
