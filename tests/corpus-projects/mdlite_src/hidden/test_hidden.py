"""Hidden checks for mdlite_src: stray markers anywhere, and everything else still rendered."""
import pytest

from mdlite import to_html
from mdlite.inline import render_inline


@pytest.mark.parametrize(
    "markdown, html",
    [
        ("*", "*"),
        ("**", "**"),
        ("a * b * c", "a <em> b </em> c"),
        ("x ** y", "x ** y"),
        ("*open and `code`", "*open and <code>code</code>"),
        ("2*3*4*5", "2<em>3</em>4*5"),
    ],
)
def test_stray_markers(markdown, html):
    assert render_inline(markdown) == html


def test_list_item_with_a_star():
    assert to_html("- rated 4* out of 5") == "<ul><li>rated 4* out of 5</li></ul>"


def test_empty_emphasis_is_text():
    assert render_inline("a ** b") == "a ** b"
