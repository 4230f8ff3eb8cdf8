"""Hidden checks for trap_transfer_guard: overdrafts refused, small and exact amounts allowed."""
import pytest

from prog import InsufficientFunds, Wallet


def test_overdraft_is_refused_and_nothing_moves():
    ana, bo = Wallet("ana", 5000), Wallet("bo")
    with pytest.raises(InsufficientFunds):
        ana.transfer(60, bo)
    assert (ana.balance_cents, bo.balance_cents) == (5000, 0)


def test_whole_balance_can_be_sent():
    ana, bo = Wallet("ana", 1234), Wallet("bo")
    ana.transfer(12.34, bo)
    assert ana.balance_cents == 0


def test_small_amount():
    ana, bo = Wallet("ana", 5000), Wallet("bo")
    ana.transfer(0.4, bo)
    assert bo.balance_cents == 40


def test_one_cent_too_much():
    with pytest.raises(InsufficientFunds):
        Wallet("ana", 99).transfer(1, Wallet("bo"))
