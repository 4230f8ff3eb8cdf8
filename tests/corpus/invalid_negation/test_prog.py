from prog import valid_username

def test_good():
    assert valid_username("ada42")

def test_bad():
    assert not valid_username("a b")
