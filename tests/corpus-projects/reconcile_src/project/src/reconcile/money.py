"""Amounts in cents, parsed from the bank's text."""

import re

AMOUNT = re.compile(r"^(-?)(\d+)(?:[.,](\d{1,2}))?$")


def cents(text):
    """'1234.5' -> 123450; '12,05' -> 1205."""
    match = AMOUNT.match(text.strip())
    if not match:
        raise ValueError(f"not an amount: {text!r}")
    sign, whole, fraction = match.groups()
    value = int(whole) * 100 + int((fraction or "0").ljust(2, "0"))
    return -value if sign else value


def normalise_reference(text):
    """References are typed by hand: 'inv 0042' and 'INV-42' are the same invoice."""
    letters = "".join(ch for ch in text.upper() if ch.isalpha())
    digits = "".join(ch for ch in text if ch.isdigit()).lstrip("0") or "0"
    return f"{letters}-{digits}"
