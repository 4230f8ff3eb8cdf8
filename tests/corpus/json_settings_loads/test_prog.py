from prog import parse_settings


def test_override_one_key():
    settings = parse_settings('{"debug": true}')
    assert settings["debug"] is True
    assert settings["workers"] == 2


def test_nested_merge():
    settings = parse_settings('{"log": {"level": "warning"}}')
    assert settings["log"] == {"level": "warning", "file": None}
