"""A very small Markdown subset to HTML: headings, paragraphs, lists, emphasis, code, links."""

from mdlite.render import to_html

__all__ = ["to_html"]
