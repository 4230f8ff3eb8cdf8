"""Caret and tilde ranges: '^1.4.0' (same major) and '~1.4.0' (same minor)."""

from semver.compare import sort_key
from semver.parse import parse


def satisfies(version, spec):
    spec = spec.strip()
    if spec[0] in "^~":
        low = parse(spec[1:])
        v = parse(version)
        if sort_key(v) < sort_key(low):
            return False
        if spec[0] == "^":
            return v.major == low.major
        return (v.major, v.minor) == (low.major, low.minor)
    return sort_key(version) == sort_key(spec)


def best_match(versions, spec):
    matching = [v for v in versions if satisfies(v, spec)]
    return max(matching, key=sort_key) if matching else None
