from prog import backup_name, backup_path, plan_backups


def test_name():
    assert backup_name("reports/q3.xlsx", "20240105") == "q3-20240105.xlsx"


def test_path():
    assert backup_path("notes.txt", "backups", "1") == "backups/notes-1.txt"


def test_plan():
    plan = plan_backups(["a.py", "b/c.cfg"], "bk", "7")
    assert plan == {"a.py": "bk/a-7.py", "b/c.cfg": "bk/c-7.cfg"}
