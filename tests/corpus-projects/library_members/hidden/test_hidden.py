"""Hidden checks for library_members: members never share their loan lists."""
from library.members import MAX_LOANS, Member
from library.overdue import overdue


def test_many_members_each_borrowing():
    members = [Member(n, f"m{n}") for n in range(4)]
    for member in members:
        member.borrow(f"isbn-{member.card}", "2024-01-01")
    assert [len(m.loans) for m in members] == [1, 1, 1, 1]


def test_limit_is_per_member():
    first = Member(1, "a")
    for n in range(MAX_LOANS):
        first.borrow(f"b{n}", "2024-01-01")
    second = Member(2, "b")
    second.borrow("x", "2024-01-01")
    assert len(second.loans) == 1


def test_giving_back_does_not_affect_others():
    a, b = Member(1, "a"), Member(2, "b")
    a.borrow("shared-title", "2024-01-01")
    b.borrow("other", "2024-01-01")
    a.give_back("shared-title")
    assert [loan.isbn for loan in b.loans] == ["other"]


def test_nobody_overdue_without_loans():
    Member(9, "z").borrow("q", "2000-01-01")
    assert overdue([Member(10, "y")], "2024-01-01") == {}
