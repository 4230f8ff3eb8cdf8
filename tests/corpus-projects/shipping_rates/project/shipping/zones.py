"""Destination zones: country code -> zone, and each zone's surcharge factor."""

HOME = "DE"

ZONES = {
    "DE": "home",
    "AT": "eu", "FR": "eu", "NL": "eu", "PL": "eu",
    "CH": "europe", "GB": "europe", "NO": "europe",
    "US": "world", "JP": "world", "BR": "world",
}

SURCHARGE = {"home": 1.0, "eu": 1.5, "europe": 2.0, "world": 3.5}


class UnknownDestination(ValueError):
    pass


def zone_of(country):
    try:
        return ZONES[country.upper()]
    except KeyError:
        raise UnknownDestination(f"we do not ship to {country!r}") from None


def surcharge(country):
    return SURCHARGE[zone_of(country)]
