from prog import excerpt, numbered


def test_numbered():
    assert numbered(["a", "b"]) == ["1 | a", "2 | b"]


def test_excerpt():
    text = "\n".join(f"line {n}" for n in range(1, 13))
    assert excerpt(text, 9, 10) == " 9 | line 9\n10 | line 10"
