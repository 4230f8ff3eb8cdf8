"""Hidden checks for split_separator_tsv: spaces and commas inside names, blank lines."""
from prog import load, parse_row


def test_name_with_spaces():
    assert parse_row("C-2\tlarge hex nut\t3\t1.5\n")["name"] == "large hex nut"


def test_blank_lines_and_header_only():
    assert load(["sku\tname\tquantity\tunit_price\n", "\n"]) == []


def test_last_line_without_newline():
    assert parse_row("D-9\tpin, brass\t0\t0.5")["quantity"] == 0
