from prog import sign

def test_signs():
    assert [sign(-3), sign(0), sign(5)] == [-1, 0, 1]
