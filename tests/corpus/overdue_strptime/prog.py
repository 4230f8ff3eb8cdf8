"""Library loans: parse due dates and work out what is overdue and the fines owed."""

from datetime import date, datetime

FINE_PER_DAY = 0.25
MAX_FINE = 10.0


def parse_due(text):
    """'2024-03-05' -> date(2024, 3, 5)."""
    return datetime.strftime(text, "%Y-%m-%d").date()


def days_overdue(due_text, today):
    return max(0, (today - parse_due(due_text)).days)


def fine(due_text, today):
    return min(MAX_FINE, days_overdue(due_text, today) * FINE_PER_DAY)


def overdue_titles(loans, today):
    """Titles of the loans (title, due text) that are past due, most overdue first."""
    late = [(days_overdue(due, today), title) for title, due in loans]
    return [title for days, title in sorted(late, reverse=True) if days > 0]


TODAY = date(2024, 3, 10)
