from prog import Ledger


def test_postings_are_recorded():
    ledger = Ledger("household")
    ledger.post(1200, "salary")
    ledger.post(-80, "groceries")
    assert ledger.memos() == ["salary", "groceries"]


def test_statement_lines():
    ledger = Ledger("club")
    ledger.post(25, "dues")
    assert ledger.statement() == ["dues         25.00"]
