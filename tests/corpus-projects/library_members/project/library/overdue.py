"""Who has books past their due date."""


def overdue(members, today):
    """{card: [isbn, ...]} of loans due before `today` (an ISO date string)."""
    late = {}
    for member in members:
        isbns = [loan.isbn for loan in member.loans if loan.due < today]
        if isbns:
            late[member.card] = isbns
    return late
