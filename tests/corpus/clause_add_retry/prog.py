"""Retry policy of an HTTP client: which failures to retry and how long to wait."""

RETRYABLE = {429, 500, 502, 503, 504}


def should_retry(status, attempt, max_attempts=3):
    """Retry retryable statuses while attempts remain (attempt counts from 1)."""
    return status in RETRYABLE


def delay_for(attempt, base=0.5, cap=8.0):
    return min(cap, base * 2 ** (attempt - 1))


def schedule(statuses, max_attempts=3):
    """The delays a client waits through for a sequence of failed responses."""
    delays = []
    for attempt, status in enumerate(statuses, 1):
        if not should_retry(status, attempt, max_attempts):
            break
        delays.append(delay_for(attempt))
    return delays
