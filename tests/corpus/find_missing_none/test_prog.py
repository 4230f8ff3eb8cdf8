from prog import default_port

def test_default():
    assert default_port({}) == 8080

def test_given():
    assert default_port({"port": 22}) == 22
