"""Hidden checks for account_withdraw: withdrawals lower the balance, overdrafts are refused."""
import pytest

from prog import Account


def test_withdraw_everything():
    account = Account(7)
    account.withdraw(7)
    assert account.balance == 0


def test_two_withdrawals():
    account = Account(20)
    account.withdraw(5)
    account.withdraw(6)
    assert account.balance == 9


def test_overdraft_refused_and_balance_kept():
    account = Account(3)
    with pytest.raises(ValueError):
        account.withdraw(4)
    assert account.balance == 3


def test_deposit_then_withdraw():
    account = Account()
    account.deposit(10)
    account.withdraw(1)
    assert account.balance == 9
