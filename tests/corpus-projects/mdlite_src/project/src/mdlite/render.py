"""Blocks to HTML."""

from mdlite.blocks import parse_blocks
from mdlite.inline import render_inline


def render_block(block):
    if block.kind == "heading":
        return f"<h{block.level}>{render_inline(block.lines[0])}</h{block.level}>"
    if block.kind == "list":
        items = "".join(f"<li>{render_inline(item)}</li>" for item in block.lines)
        return f"<ul>{items}</ul>"
    return f"<p>{render_inline(' '.join(block.lines))}</p>"


def to_html(text):
    return "\n".join(render_block(block) for block in parse_blocks(text))
