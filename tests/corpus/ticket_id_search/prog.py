"""Find issue-tracker ids such as 'PAY-1042' in commit messages, for a release changelog."""

import re

TICKET = re.compile(r"\b[A-Z][A-Z0-9]+-\d+\b")


def ticket_id(message):
    """The first ticket id mentioned in a commit message."""
    return TICKET.match(message).group(0)


def changelog(messages):
    """'ID: first line' for each commit that names a ticket, in commit order."""
    lines = []
    for message in messages:
        if "-" not in message:
            continue
        summary = message.splitlines()[0]
        lines.append(f"{ticket_id(message)}: {summary}")
    return lines
