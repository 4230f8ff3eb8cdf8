"""Settings from environment variables: APP_DEBUG, APP_WORKERS, ..."""

from appconf.schema import FIELDS, coerce

PREFIX = "APP"
# The profile used when load() is not given one; the test suite sets it from --profile.
ACTIVE_PROFILE = "dev"


def variable_name(setting):
    return f"{PREFIX}{setting.upper()}"


def env_overrides(environ):
    """{setting: value} for every known setting that the environment sets."""
    overrides = {}
    for setting in FIELDS:
        raw = environ.get(variable_name(setting))
        if raw is not None and raw.strip():
            overrides[setting] = coerce(setting, raw)
    return overrides
