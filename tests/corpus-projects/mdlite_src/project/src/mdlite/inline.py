"""Inline markup: **strong**, *emphasis*, `code` and [links](url), with HTML escaping."""

import html
import re

LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def _find_closing(text, marker, start):
    end = text.find(marker, start)
    return end if end > start else -1


def render_inline(text):
    """HTML for one line of inline Markdown; unmatched markers are kept as text."""
    out = []
    pos = 0
    while pos < len(text):
        if text.startswith("`", pos):
            end = _find_closing(text, "`", pos + 1)
            if end != -1:
                out.append(f"<code>{html.escape(text[pos + 1:end])}</code>")
                pos = end + 1
                continue
        if text.startswith("**", pos):
            end = _find_closing(text, "**", pos + 2)
            if end != -1:
                out.append(f"<strong>{render_inline(text[pos + 2:end])}</strong>")
                pos = end + 2
                continue
        if text.startswith("*", pos):
            end = _find_closing(text, "*", pos + 1)
            if end != -1:
                out.append(f"<em>{render_inline(text[pos + 1:end])}</em>")
                pos = end + 1
            continue
        link = LINK.match(text, pos)
        if link:
            label, url = link.groups()
            out.append(f'<a href="{html.escape(url)}">{render_inline(label)}</a>')
            pos = link.end()
            continue
        out.append(html.escape(text[pos]))
        pos += 1
    return "".join(out)
