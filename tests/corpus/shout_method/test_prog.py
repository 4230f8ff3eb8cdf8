from prog import shout

def test_shout():
    assert shout("hey") == "HEY!"
