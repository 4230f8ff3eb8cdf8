from prog import is_newer, latest, parse_version


def test_parse():
    assert parse_version("3.11.2") == (3, 11, 2)


def test_newer():
    assert is_newer("1.10.0", "1.9.5")


def test_latest():
    assert latest(["0.9", "0.10", "0.2"]) == "0.10"
