from prog import files_to_check, is_checked


def test_top_level_module():
    assert is_checked("setup.py")


def test_nested_module():
    assert is_checked("src/app/models.py")


def test_excluded_folder():
    assert not is_checked(".venv/lib/site.py")


def test_generated_and_other_files():
    assert files_to_check(["README.md", "api_pb2.py", "main.py"]) == ["main.py"]
