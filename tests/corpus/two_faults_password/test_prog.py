from prog import is_strong, problems


def test_exactly_eight_characters_is_long_enough():
    assert "at least 8 characters" not in problems("abcdefg1")


def test_one_upper_case_letter_is_enough():
    assert "an upper-case letter" not in problems("Abcdefg1!")


def test_weak():
    assert problems("abc") == ["at least 8 characters", "an upper-case letter", "a digit", "a symbol"]


def test_strong():
    assert is_strong("Correct-Horse-7")
