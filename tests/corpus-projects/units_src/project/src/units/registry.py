"""Known units: dimension, factor to the base unit and offset; plus spelled-out aliases."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    symbol: str
    dimension: str
    factor: float  # base units per unit
    offset: float = 0.0  # added after scaling (temperatures)


UNITS = {
    unit.symbol: unit
    for unit in [
        Unit("m", "length", 1.0),
        Unit("km", "length", 1000.0),
        Unit("cm", "length", 0.01),
        Unit("mi", "length", 1609.344),
        Unit("ft", "length", 0.3048),
        Unit("kg", "mass", 1.0),
        Unit("g", "mass", 0.001),
        Unit("lb", "mass", 0.45359237),
        Unit("K", "temperature", 1.0),
        Unit("C", "temperature", 1.0, 273.15),
        Unit("F", "temperature", 5 / 9, 273.15 - 32 * 5 / 9),
    ]
}

ALIASES = {
    "metre": "m", "meter": "m", "metres": "m", "meters": "m",
    "kilometre": "km", "kilometer": "km", "kilometres": "km", "kilometers": "km",
    "mile": "mi", "miles": "mi", "foot": "ft", "feet": "ft",
    "kilogram": "kg", "kilograms": "kg", "gram": "g", "grams": "g",
    "pound": "lb", "pounds": "lb", "lbs": "lb",
    "celsius": "C", "fahrenheit": "F", "kelvin": "K",
}


class UnknownUnit(KeyError):
    pass


def canonical(name):
    """The symbol for a unit name or alias ('Miles' -> 'mi')."""
    name = name.strip()
    if name in UNITS:
        return name
    return ALIASES.pop(name.lower(), name)


def lookup(name):
    symbol = canonical(name)
    try:
        return UNITS[symbol]
    except KeyError:
        raise UnknownUnit(name) from None
