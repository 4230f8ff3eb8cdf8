"""Price of a parcel: a base price per weight bracket times the zone surcharge."""

from shipping.zones import surcharge

# (upper weight limit in kg, inclusive; base price in EUR)
BRACKETS = [
    (1.0, 4.50),
    (2.0, 5.90),
    (5.0, 8.20),
    (10.0, 12.40),
    (31.5, 19.90),
]


class TooHeavy(ValueError):
    pass


def base_price(weight_kg):
    """Base price of the first bracket whose limit the parcel does not exceed."""
    if weight_kg <= 0:
        raise ValueError("weight must be positive")
    for limit, price in BRACKETS:
        if weight_kg < limit:
            return price
    raise TooHeavy(f"{weight_kg} kg is over the {BRACKETS[-1][0]} kg limit")


def quote(weight_kg, country, insured=False):
    """Price in EUR, rounded to cents; insurance adds 2 % (at least 1 EUR)."""
    price = base_price(weight_kg) * surcharge(country)
    if insured:
        price += max(1.0, price * 0.02)
    return round(price, 2)
