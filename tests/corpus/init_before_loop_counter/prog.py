"""Keyword summary for a set of documents: the most used words of each one."""

import re
from collections import Counter

STOP_WORDS = {"a", "an", "and", "the", "of", "to", "in", "is"}


def tokenise(text):
    return [word for word in re.findall(r"[a-z]+", text.lower()) if word not in STOP_WORDS]


def keywords(documents, count=1):
    """{name: [the `count` most common words of that document]}, ties in order of appearance."""
    result = {}
    counts = Counter()
    for name, text in documents.items():
        counts.update(tokenise(text))
        result[name] = [word for word, _ in counts.most_common(count)]
    return result
