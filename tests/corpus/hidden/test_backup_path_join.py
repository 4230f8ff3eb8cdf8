"""Hidden checks for backup_path_join: trailing separators, absolute and nested folders."""
from prog import backup_path, plan_backups


def test_folder_with_a_trailing_slash():
    assert backup_path("notes.txt", "backups/", "1") == "backups/notes-1.txt"


def test_absolute_nested_folder():
    assert backup_path("/srv/app/db.sqlite", "/var/backups/app", "x") == "/var/backups/app/db-x.sqlite"


def test_file_without_extension():
    assert backup_path("Makefile", "bk", "2") == "bk/Makefile-2"


def test_empty_batch():
    assert plan_backups([], "bk", "1") == {}
