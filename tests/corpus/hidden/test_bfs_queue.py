"""Hidden checks for bfs_queue: cycles, branches and unreachable nodes."""
from prog import reachable


def test_cycle():
    assert reachable({"a": ["b"], "b": ["a"]}, "a") == {"a", "b"}


def test_branches_and_an_island():
    graph = {"a": ["b", "c"], "c": ["d"], "x": ["a"]}
    assert reachable(graph, "a") == {"a", "b", "c", "d"}


def test_leaf_start():
    assert reachable({"a": ["b"]}, "b") == {"b"}
