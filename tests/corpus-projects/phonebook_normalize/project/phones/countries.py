"""Calling codes and national trunk prefixes of the countries our customers live in."""

CALLING_CODES = {"DE": "49", "AT": "43", "CH": "41", "FR": "33", "GB": "44", "US": "1", "IE": "353"}
TRUNK_PREFIX = {"DE": "0", "AT": "0", "CH": "0", "FR": "0", "GB": "0", "US": "1", "IE": "0"}
INTERNATIONAL_PREFIXES = ("+", "00", "011")
