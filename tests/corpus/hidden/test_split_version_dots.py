"""Hidden checks for split_version_dots: prefixes, single numbers, equal versions."""
from prog import is_newer, latest, parse_version


def test_prefix_and_spaces():
    assert parse_version(" v2.0.1 ") == (2, 0, 1)


def test_single_number():
    assert parse_version("7") == (7,)


def test_equal_is_not_newer():
    assert not is_newer("1.2.3", "1.2.3")
    assert is_newer("1.2.10", "1.2.9")


def test_latest_of_one():
    assert latest(["4.5"]) == "4.5"
