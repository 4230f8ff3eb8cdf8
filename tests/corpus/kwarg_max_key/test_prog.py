from prog import column_width, longest_word, wrap_width


def test_longest_word():
    assert longest_word("a mammoth was here") == "mammoth"


def test_column_width():
    assert column_width(["ab", 12345]) == 7


def test_wrap_width():
    assert wrap_width("see antidisestablishmentarianism now") == 28
