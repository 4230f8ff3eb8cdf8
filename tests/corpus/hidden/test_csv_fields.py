"""Hidden checks for csv_fields: commas separate, spaces inside a field stay."""
from prog import parse_row


def test_spaces_inside_a_field():
    assert parse_row("first name, last name") == ["first name", "last name"]


def test_empty_field():
    assert parse_row("a,,b") == ["a", "", "b"]


def test_trailing_comma():
    assert parse_row("a,b,") == ["a", "b", ""]
