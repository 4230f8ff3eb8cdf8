"""Hidden checks for file_extension: only names that end in .py."""
from prog import is_python_file


def test_py_inside_the_name_does_not_count():
    assert not is_python_file("main.pyc")
    assert not is_python_file("notes.py.txt")


def test_hidden_and_nested_names():
    assert is_python_file(".config.py")
    assert is_python_file("src/app/main.py")


def test_bare_extension_word():
    assert not is_python_file("py")
