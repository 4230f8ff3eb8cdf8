import csv
from pathlib import Path

import pytest

from textkit.slug import slugify, unique_slug

with open(Path(__file__).parent / "cases" / "slugs.csv", newline="", encoding="utf-8") as handle:
    CASES = [(row["title"], row["slug"]) for row in csv.DictReader(handle)]


@pytest.mark.unicode
@pytest.mark.parametrize("title, slug", CASES)
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_empty_title():
    assert slugify("!!!") == ""


def test_unique_slug():
    assert unique_slug("About", {"about", "about-2"}) == "about-3"


def test_unique_fallback():
    assert unique_slug("???", set()) == "post"
