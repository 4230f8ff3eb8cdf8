"""Hidden checks for semver_compare: numeric fields compare as numbers everywhere."""
from semver.compare import compare, newest
from semver.parse import parse
from semver.ranges import best_match, satisfies


def test_fields_are_integers():
    v = parse("10.20.30")
    assert (v.major, v.minor, v.patch) == (10, 20, 30)
    assert str(v) == "10.20.30"


def test_double_digit_patch():
    assert compare("1.0.9", "1.0.10") == -1


def test_equal_versions():
    assert compare("2.3.4", "v2.3.4") == 0


def test_newest_of_double_digits():
    assert newest(["9.0.0", "10.0.0", "2.0.0"]) == "10.0.0"


def test_tilde_with_double_digit_minor():
    assert satisfies("1.10.3", "~1.10.0")
    assert not satisfies("1.9.3", "~1.10.0")
    assert best_match(["0.9.1", "0.10.2", "0.10.11"], "~0.10.0") == "0.10.11"
