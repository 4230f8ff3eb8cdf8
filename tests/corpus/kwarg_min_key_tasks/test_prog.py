from prog import Task, by_tag, next_task


def test_next_task():
    tasks = [Task("write report", 2), Task("fix outage", 1), Task("lunch", 3)]
    assert next_task(tasks).title == "fix outage"


def test_empty():
    assert next_task([]) is None


def test_by_tag():
    assert by_tag([Task("a", 1, ["ops"]), Task("b", 2)], "ops") == ["a"]
