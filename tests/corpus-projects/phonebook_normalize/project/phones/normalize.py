"""'030 1234567' (DE) -> '+49301234567'."""

import re

from phones.countries import CALLING_CODES, INTERNATIONAL_PREFIXES, TRUNK_PREFIX

NOISE = re.compile(r"[\s().\-/]")


class InvalidNumber(ValueError):
    pass


def strip_noise(text):
    return NOISE.sub("", text.strip())


def to_e164(text, default_country):
    """E.164 form of a number as people type it, national numbers read in `default_country`."""
    digits = strip_noise(text)
    for prefix in INTERNATIONAL_PREFIXES:
        if digits.startswith(prefix):
            rest = digits[len(prefix):]
            break
    else:
        trunk = TRUNK_PREFIX[default_country]
        if not digits.startswith(trunk):
            raise InvalidNumber(f"{text!r} is neither international nor national")
        rest = CALLING_CODES[default_country] + digits[len(trunk) + 1:]
    if not rest.isdigit() or not 8 <= len(rest) <= 15:
        raise InvalidNumber(f"{text!r} does not have a valid number of digits")
    return "+" + rest


def same_number(a, b, default_country):
    return to_e164(a, default_country) == to_e164(b, default_country)
