"""Turn raw lines into records; lines from other tools (prefixed by the shipper) are accepted."""

from dataclasses import dataclass
from datetime import datetime

from logscan.patterns import APP_LINE, DURATION


@dataclass(frozen=True)
class Record:
    at: datetime
    thread: str
    level: str
    logger: str
    message: str

    @property
    def duration_ms(self):
        found = DURATION.search(self.message)
        return int(found.group(1)) if found else None


def parse_line(line):
    """The record of one line, or None when the line is not an application log line.

    Lines can carry a prefix added by the log shipper ('host-3 | ...'), so the record may
    start anywhere in the line.
    """
    match = APP_LINE.match(line)
    if match is None:
        return None
    at = datetime.strptime(match["stamp"], "%Y-%m-%d %H:%M:%S").replace(
        microsecond=int(match["millis"]) * 1000
    )
    return Record(at, match["thread"], match["level"], match["logger"], match["message"].rstrip())


def parse_lines(lines):
    return [record for record in map(parse_line, lines) if record is not None]
