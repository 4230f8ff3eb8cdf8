"""Hidden checks for enumerate_line_numbers: widths, start values and trailing spaces."""
from prog import excerpt, numbered


def test_width_grows_with_the_last_number():
    lines = numbered(["x"] * 10)
    assert lines[0] == " 1 | x" and lines[-1] == "10 | x"


def test_start_value():
    assert numbered(["q"], start=99) == ["99 | q"]


def test_trailing_spaces_removed():
    assert numbered(["code   "]) == ["1 | code"]


def test_empty():
    assert numbered([]) == []
    assert excerpt("a\nb", 3, 4) == ""
