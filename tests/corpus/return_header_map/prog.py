"""HTTP header helpers: case-insensitive lookup over raw header lines."""


def parse_headers(raw_lines):
    """['Content-Type: text/html', ...] -> {'content-type': 'text/html', ...}."""
    headers = {}
    for line in raw_lines:
        if not line.strip():
            break
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers


def normalise(headers):
    """The same mapping with lower-case names and surrounding spaces removed."""
    normalised = {name.strip().lower(): value.strip() for name, value in headers.items()}


def content_length(headers):
    value = normalise(headers).get("content-length")
    return int(value) if value is not None else None
