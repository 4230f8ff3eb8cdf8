from prog import receipt_line

def test_line():
    assert receipt_line("tea", 250) == "tea: 250 cents"
