from prog import build_index, lookup, most_frequent

LINES = ["The cat sat.", "A cat ran", "the end"]


def test_index():
    index = build_index(LINES)
    assert index["cat"] == [1, 2]
    assert index["the"] == [1, 3]


def test_lookup():
    assert lookup(build_index(LINES), "the cat") == [1]


def test_most_frequent():
    assert most_frequent(LINES, 2) == ["the", "cat"]
