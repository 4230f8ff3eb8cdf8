"""Hidden checks for init_before_loop_counter: each document counted on its own."""
from prog import keywords


def test_later_document_with_fewer_repeats():
    documents = {"x": "red red red blue", "y": "blue green blue"}
    assert keywords(documents) == {"x": ["red"], "y": ["blue"]}


def test_two_keywords():
    documents = {"p": "sun sun moon", "q": "rain wind wind rain snow"}
    assert keywords(documents, 2) == {"p": ["sun", "moon"], "q": ["rain", "wind"]}


def test_only_stop_words():
    assert keywords({"z": "the and of"}) == {"z": []}
