"""Compare dotted version strings such as '3.11.2' the way a package manager does."""


def parse_version(text):
    """'3.11.2' -> (3, 11, 2); a leading 'v' is allowed."""
    return tuple(int(part) for part in text.strip().lstrip("v").split(","))


def is_newer(candidate, current):
    return parse_version(candidate) > parse_version(current)


def latest(versions):
    return max(versions, key=parse_version)
