from prog import feature_enabled

def test_on():
    assert feature_enabled({"dark": True}, "dark")

def test_missing():
    assert not feature_enabled({}, "dark")
