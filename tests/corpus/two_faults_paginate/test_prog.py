import pytest

from prog import page, page_header, page_slice

ITEMS = list(range(1, 26))  # 25 items


def test_first_page():
    assert page(ITEMS, 1) == list(range(1, 11))


def test_partial_last_page():
    assert page_slice(25, 3) == (20, 25)


def test_out_of_range_message():
    with pytest.raises(IndexError, match=r"pages 1-3\)"):
        page_slice(25, 4)


def test_header():
    assert page_header(ITEMS, 1) == "showing 1-10 of 25"
