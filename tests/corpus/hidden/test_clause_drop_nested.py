"""Hidden checks for clause_drop_nested: deep paths, excluded folders anywhere, non-Python files."""
from prog import files_to_check, is_checked


def test_deep_nesting():
    assert is_checked("a/b/c/d/e.py")


def test_excluded_folder_deeper_down():
    assert not is_checked("pkg/__pycache__/mod.py")
    assert not is_checked("tools/build/gen.py")


def test_nested_non_python_and_generated():
    assert not is_checked("docs/conf.txt")
    assert not is_checked("proto/msg_pb2.py")


def test_sorted_selection():
    paths = ["z.py", "a/y.py", "build/x.py", "a/readme.md"]
    assert files_to_check(paths) == ["a/y.py", "z.py"]


def test_names_with_spaces():
    assert is_checked("my project/app main.py")
    assert is_checked("setup script.py")
