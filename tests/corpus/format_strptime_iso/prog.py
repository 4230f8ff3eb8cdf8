"""Read the timestamps of a JSON event log and measure the gaps between events."""

from datetime import datetime

STAMP_FORMAT = "%d/%m/%Y %H:%M"


def parse_stamp(text):
    """'2024-05-01T09:30:00' -> datetime."""
    return datetime.strptime(text, STAMP_FORMAT)


def gaps_in_minutes(events):
    """Minutes between consecutive events, in the order given."""
    stamps = [parse_stamp(event["at"]) for event in events]
    return [int((later - earlier).total_seconds() // 60) for earlier, later in zip(stamps, stamps[1:])]


def longest_gap(events):
    return max(gaps_in_minutes(events), default=0)
