import pytest

from appconf.schema import ConfigError, coerce


@pytest.mark.parametrize("raw, value", [("1", True), ("No", False), (" off ", False), (True, True)])
def test_booleans(raw, value):
    assert coerce("debug", raw) is value


def test_number():
    assert coerce("timeout", "2.5") == 2.5


def test_unknown_setting():
    with pytest.raises(ConfigError):
        coerce("colour", "blue")
