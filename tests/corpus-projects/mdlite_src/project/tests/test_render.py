import pytest

from mdlite import to_html
from mdlite.blocks import parse_blocks


@pytest.mark.blocks
def test_heading_and_paragraph():
    assert to_html("# Title\n\nSome *text*\nwrapped") == "<h1>Title</h1>\n<p>Some <em>text</em> wrapped</p>"


@pytest.mark.blocks
def test_list():
    assert to_html("- one\n- two") == "<ul><li>one</li><li>two</li></ul>"


@pytest.mark.blocks
def test_block_kinds():
    kinds = [block.kind for block in parse_blocks("## A\npara\n\n- x\nafter")]
    assert kinds == ["heading", "paragraph", "list", "paragraph"]
