"""The known settings and how to turn their text form into values."""

FIELDS = {"debug": bool, "workers": int, "timeout": float, "db_url": str}

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


class ConfigError(ValueError):
    pass


def coerce(name, raw):
    """The value of setting `name` from its text (or an already typed value from JSON)."""
    kind = FIELDS.get(name)
    if kind is None:
        raise ConfigError(f"unknown setting {name!r}")
    if not isinstance(raw, str):
        return kind(raw)
    text = raw.strip()
    if kind is bool:
        if text.lower() in TRUE_WORDS:
            return True
        if text.lower() in FALSE_WORDS:
            return False
        raise ConfigError(f"{name}: {raw!r} is not a yes/no value")
    try:
        return kind(text)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a valid {kind.__name__}") from None
