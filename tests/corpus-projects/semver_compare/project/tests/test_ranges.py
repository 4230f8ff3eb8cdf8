import pytest

from semver.ranges import best_match, satisfies


@pytest.mark.parametrize("version, spec, expected", [
    ("1.4.2", "^1.4.0", True),
    ("2.0.0", "^1.4.0", False),
    ("1.4.9", "~1.4.0", True),
    ("1.5.0", "~1.4.0", False),
    ("1.3.9", "^1.4.0", False),
])
def test_satisfies(version, spec, expected):
    assert satisfies(version, spec) is expected


def test_best_match(releases):
    assert best_match(releases, "^1.0.0") == "1.10.0"
