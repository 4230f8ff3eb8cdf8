"""Ordering of versions, following the precedence rules of semver.org."""

from semver.parse import parse


def _prerelease_key(prerelease):
    # A version without a pre-release tag ranks above any pre-release of the same core.
    if not prerelease:
        return (1,)
    # Numeric identifiers rank below alphanumeric ones and compare as numbers.
    return (0, *[(0, part, "") if isinstance(part, int) else (1, 0, part) for part in prerelease])


def sort_key(version):
    if isinstance(version, str):
        version = parse(version)
    return (version.major, version.minor, version.patch, _prerelease_key(version.prerelease))


def compare(a, b):
    """-1, 0 or 1 as a is older than, as old as, or newer than b (build tags ignored)."""
    key_a, key_b = sort_key(a), sort_key(b)
    return (key_a > key_b) - (key_a < key_b)


def newest(versions):
    return max(versions, key=sort_key)
