"""Split a document into blocks: headings, list items and paragraphs."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "list", "paragraph"
    lines: tuple
    level: int = 0


def parse_blocks(text):
    blocks = []
    paragraph = []
    items = []

    def flush():
        if paragraph:
            blocks.append(Block("paragraph", tuple(paragraph)))
            paragraph.clear()
        if items:
            blocks.append(Block("list", tuple(items)))
            items.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            level = len(line) - len(line.lstrip("#"))
            blocks.append(Block("heading", (line[level:].strip(),), min(level, 6)))
        elif line.startswith(("- ", "* ")):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return blocks
