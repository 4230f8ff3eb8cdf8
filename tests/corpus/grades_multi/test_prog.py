from prog import letter, letters, pass_rate

def test_boundaries():
    assert letters([90, 80, 70, 69]) == ["A", "B", "C", "F"]

def test_rate():
    assert pass_rate([95, 70, 10, 50]) == 0.5
