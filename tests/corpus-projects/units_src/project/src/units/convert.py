"""Conversions through the base unit of each dimension."""

from units.registry import lookup


class IncompatibleUnits(ValueError):
    pass


def convert(value, from_unit, to_unit):
    source, target = lookup(from_unit), lookup(to_unit)
    if source.dimension != target.dimension:
        raise IncompatibleUnits(f"cannot convert {source.dimension} to {target.dimension}")
    base = value * source.factor + source.offset
    return (base - target.offset) / target.factor


def convert_text(text, to_unit, digits=2):
    """'5 miles' -> '8.05 km' for to_unit='km'."""
    number, _, unit = text.strip().partition(" ")
    result = round(convert(float(number), unit, to_unit), digits)
    return f"{result:g} {lookup(to_unit).symbol}"
