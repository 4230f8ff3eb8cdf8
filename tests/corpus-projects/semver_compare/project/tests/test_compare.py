import pytest

from semver.compare import compare, newest
from semver.parse import InvalidVersion, parse

from conftest import compare_rows


@pytest.mark.parametrize("row", compare_rows(), ids=lambda row: f"{row['older']}<{row['newer']}")
def test_ordering(row):
    assert compare(row["older"], row["newer"]) == -1
    assert compare(row["newer"], row["older"]) == 1


def test_build_tag_is_ignored():
    assert compare("1.0.0+a", "1.0.0+b") == 0


def test_newest_release(releases):
    assert newest(releases) == "2.0.0-beta.1"


def test_parse_fields():
    v = parse("3.4.5-rc.2+sha.1")
    assert (v.major, v.minor, v.patch, v.prerelease, v.build) == (3, 4, 5, ("rc", 2), "sha.1")


def test_invalid():
    with pytest.raises(InvalidVersion):
        parse("1.2")
