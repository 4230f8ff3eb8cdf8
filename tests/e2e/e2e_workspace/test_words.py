from words import last_word


def test_last_word():
    assert last_word("fresh bread every morning") == "morning"


def test_single_word():
    assert last_word("sale") == "sale"
