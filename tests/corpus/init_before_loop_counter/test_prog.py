from prog import keywords, tokenise


def test_tokenise():
    assert tokenise("The Art of War") == ["art", "war"]


def test_keywords_per_document():
    documents = {"a": "tea tea cake", "b": "coffee beans"}
    assert keywords(documents) == {"a": ["tea"], "b": ["coffee"]}
