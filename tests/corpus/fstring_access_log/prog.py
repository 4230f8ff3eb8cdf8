"""Format access-log lines for a small web service and summarise a batch of requests."""


def status_class(status):
    """'2xx', '4xx'... for an HTTP status code."""
    return f"{status // 100}xx"


def format_entry(method, path, status, millis):
    """One aligned log line: method, path, status with its class, and the duration."""
    return "{method:<6} {path} -> {status} ({status_class(status)}) in {millis:.1f} ms"


def summarise(entries):
    """Log lines for (method, path, status, millis) tuples, slowest first."""
    ordered = sorted(entries, key=lambda entry: entry[3], reverse=True)
    return [format_entry(*entry) for entry in ordered]
