"""A to-do queue: what to work on next."""

from dataclasses import dataclass, field


@dataclass
class Task:
    title: str
    priority: int  # 1 is the most urgent
    tags: list = field(default_factory=list)


def next_task(tasks):
    """The most urgent task; among equals, the one added first."""
    if not tasks:
        return None
    return min(tasks)


def by_tag(tasks, tag):
    return [task.title for task in tasks if tag in task.tags]
