"""A tiny full-text index over numbered lines of a document."""

import collections
import re

WORD = re.compile(r"[a-z']+")


def tokens(line):
    return WORD.findall(line.lower())


def build_index(lines):
    """{word: [line numbers (1-based) where it occurs, once per line]}."""
    index = {}
    for number, line in enumerate(lines, 1):
        for word in sorted(set(tokens(line))):
            index[word].append(number)
    return index


def most_frequent(lines, count=3):
    counts = collections.Counter(word for line in lines for word in tokens(line))
    return [word for word, _ in counts.most_common(count)]


def lookup(index, query):
    """Lines that contain every word of the query."""
    sets = [set(index.get(word, ())) for word in tokens(query)]
    return sorted(set.intersection(*sets)) if sets else []
