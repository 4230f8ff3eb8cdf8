from prog import Wallet


def test_transfer_moves_the_money():
    ana, bo = Wallet("ana", 5000), Wallet("bo")
    ana.transfer(20, bo)
    assert (str(ana), str(bo)) == ("ana: 30.00", "bo: 20.00")


def test_cents():
    ana, bo = Wallet("ana", 1000), Wallet("bo", 1)
    ana.transfer(2.5, bo)
    assert bo.balance_cents == 251
