"""Hidden checks for two_faults_paginate: middle and last pages, exact multiples, tiny lists."""
import pytest

from prog import page, page_header, page_slice

ITEMS = list(range(1, 26))


def test_middle_and_last_pages():
    assert page(ITEMS, 2) == list(range(11, 21))
    assert page(ITEMS, 3) == [21, 22, 23, 24, 25]


def test_exact_multiple():
    assert page_slice(20, 2) == (10, 20)
    with pytest.raises(IndexError):
        page_slice(20, 3)


def test_fewer_items_than_a_page():
    assert page(["a", "b"], 1) == ["a", "b"]
    assert page_header(["a"], 1) == "showing 1-1 of 1"


def test_page_size_one():
    assert page(["a", "b"], 2, page_size=1) == ["b"]


def test_page_zero():
    with pytest.raises(IndexError):
        page(ITEMS, 0)
