"""Hidden checks for tab_indent: total lengths of other word lists."""
from prog import total_length


def test_empty():
    assert total_length([]) == 0


def test_with_empty_word():
    assert total_length(["", "abcd"]) == 4
