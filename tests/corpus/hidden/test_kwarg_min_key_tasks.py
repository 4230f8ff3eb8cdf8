"""Hidden checks for kwarg_min_key_tasks: ties and single tasks."""
from prog import Task, next_task


def test_tie_goes_to_the_first_added():
    tasks = [Task("b", 2), Task("a", 1), Task("c", 1)]
    assert next_task(tasks).title == "a"


def test_single_task():
    task = Task("only", 5)
    assert next_task([task]) is task


def test_most_urgent_last():
    assert next_task([Task("x", 9), Task("y", 8), Task("z", 1)]).title == "z"
