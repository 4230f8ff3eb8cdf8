"""Hidden checks for fstring_error_message: every rejected quantity is named in the message."""
import pytest

from prog import OrderError, parse_line


@pytest.mark.parametrize("count", ["0", "-1", "-12"])
def test_message_names_the_quantity(count):
    with pytest.raises(OrderError) as raised:
        parse_line(f"{count} sourdough")
    assert str(raised.value) == f"quantity must be positive, got {int(count)} for sourdough"


def test_unknown_product_message():
    with pytest.raises(OrderError, match="'bagel'"):
        parse_line("1 bagel")


def test_one_is_fine():
    assert parse_line("1 croissant").price == 0.95
