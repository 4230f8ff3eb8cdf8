"""Hidden checks for config_guard: a present but false flag is off."""
from prog import feature_enabled


def test_present_but_false():
    assert not feature_enabled({"dark": False}, "dark")


def test_other_flags_do_not_count():
    assert not feature_enabled({"beta": True}, "dark")


def test_truthy_value():
    assert feature_enabled({"dark": 1, "beta": 0}, "dark")
