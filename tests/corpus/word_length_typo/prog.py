def longest_word(text):
    longest = ""
    for word in text.split():
        if len(word) > len(longest):
            longest = wrod
    return longest
