"""Word statistics for short texts."""


def words(text):
    return [w.strip(".,!?").lower() for w in text.split()]


def word_count(text):
    return len(words(text))


def frequencies(text):
    counts = {}
    for word in words(text):
        counts[word] = counts.get(word, 0) + 1
    return counts


def most_common(text):
    counts = frequencies(text)
    return min(counts, key=counts.get)
