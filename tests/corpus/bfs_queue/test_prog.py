from prog import reachable

def test_chain():
    assert reachable({"a": ["b"], "b": ["c"]}, "a") == {"a", "b", "c"}

def test_alone():
    assert reachable({}, "x") == {"x"}
