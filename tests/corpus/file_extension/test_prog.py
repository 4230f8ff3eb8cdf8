from prog import is_python_file

def test_python():
    assert is_python_file("tool.py")

def test_text():
    assert not is_python_file("notes.txt")
