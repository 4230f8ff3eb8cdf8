from prog import Account

def test_withdraw():
    account = Account(10)
    account.withdraw(4)
    assert account.balance == 6

def test_deposit():
    account = Account()
    account.deposit(5)
    assert account.balance == 5
