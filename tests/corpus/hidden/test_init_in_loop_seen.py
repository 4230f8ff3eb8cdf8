"""Hidden checks for init_in_loop_seen: duplicates far apart, all distinct, all equal."""
from prog import deduplicate


def test_duplicate_at_the_end():
    contacts = [("a", "a@x.io"), ("b", "b@x.io"), ("c", "c@x.io"), ("a2", "a@X.IO")]
    assert [name for name, _ in deduplicate(contacts)] == ["a", "b", "c"]


def test_all_the_same():
    assert deduplicate([("p", "p@q.io")] * 4) == [("p", "p@q.io")]


def test_empty():
    assert deduplicate([]) == []
