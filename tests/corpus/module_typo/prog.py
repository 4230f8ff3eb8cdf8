import colections


def tally(words):
    return dict(colections.Counter(words))
