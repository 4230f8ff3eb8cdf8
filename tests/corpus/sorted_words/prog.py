def sorted_words(text):
    words = text.split()
    words = words.sort()
    return words
