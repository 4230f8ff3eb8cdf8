import pytest

from library.members import LoanLimit, Member
from library.overdue import overdue
from library.storage import load, save


def test_borrow(catalogue):
    ana = Member(1, "Ana")
    ana.borrow(catalogue[0], "2024-06-01")
    assert [loan.isbn for loan in ana.loans] == [catalogue[0]]


def test_new_member_has_no_loans(catalogue):
    Member(2, "Bo").borrow(catalogue[1], "2024-06-01")
    assert Member(3, "Cy").loans == []


def test_loan_limit(catalogue):
    di = Member(4, "Di")
    for isbn in catalogue[:5]:
        di.borrow(isbn, "2024-07-01")
    with pytest.raises(LoanLimit):
        di.borrow(catalogue[5], "2024-07-01")


@pytest.mark.storage
def test_round_trip(member_file, catalogue):
    ed = Member(5, "Ed")
    ed.borrow(catalogue[2], "2024-05-20")
    save(member_file, [ed, Member(6, "Flo")])
    loaded = load(member_file)
    assert [m.to_dict() for m in loaded] == [ed.to_dict(), Member(6, "Flo").to_dict()]


def test_overdue(catalogue):
    gus = Member(7, "Gus")
    gus.borrow(catalogue[3], "2024-05-01")
    gus.borrow(catalogue[4], "2024-06-30")
    assert overdue([gus], "2024-06-01") == {7: [catalogue[3]]}
