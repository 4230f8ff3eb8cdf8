"""Headline helpers for the shop's newsletter."""


def last_word(sentence):
    """The final word of a sentence."""
    words = sentence.split()
    return words[len(words)]


if __name__ == "__main__":
    headline = last_word("fresh bread every morning")
    assert headline == "morning", headline
    print(headline)
