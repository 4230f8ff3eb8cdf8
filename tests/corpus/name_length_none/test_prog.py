from prog import name_length

def test_name():
    assert name_length(" Ada ") == 3

def test_missing():
    assert name_length(None) == 0
