"""Hidden checks for two_faults_password: each rule at its boundary."""
from prog import is_strong, problems


def test_seven_characters_are_too_few():
    assert "at least 8 characters" in problems("Ab1!xyz")


def test_eight_characters_with_everything():
    assert is_strong("Ab1!wxyz")


def test_no_upper_case_at_all():
    assert problems("abcdefg1!") == ["an upper-case letter"]


def test_only_a_symbol_missing():
    assert problems("Abcdefg12") == ["a symbol"]
