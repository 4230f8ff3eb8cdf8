"""Hidden checks for trap_ledger_assert: the balance itself, and the check still in force."""
from prog import Ledger


def test_balance_after_postings():
    ledger = Ledger("x")
    ledger.post(100, "in")
    ledger.post(-30, "out")
    assert ledger.balance == 70


def test_zero_posting():
    ledger = Ledger("y")
    ledger.post(0, "nothing")
    assert ledger.balance == 0


def test_the_self_check_still_catches_a_corrupted_balance():
    ledger = Ledger("z")
    ledger.post(10, "in")
    ledger.balance = 999
    try:
        ledger.post(1, "more")
    except AssertionError:
        return
    raise AssertionError("a corrupted balance went unnoticed")
