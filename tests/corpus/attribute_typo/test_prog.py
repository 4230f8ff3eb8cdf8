from prog import Student

def test_report():
    assert Student("Ana", [8, 9]).report() == "Ana: 8.5"
