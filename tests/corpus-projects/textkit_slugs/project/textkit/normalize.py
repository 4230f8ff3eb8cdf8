"""Reduce text to lower-case ASCII words."""

import re
import unicodedata

WORD = re.compile(r"[a-z0-9]+")
REPLACEMENTS = {"&": " and ", "@": " at ", "+": " plus "}


def ascii_fold(text):
    """'Crème Brûlée' -> 'Creme Brulee' (accents dropped, other non-ASCII removed)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")


def words(text):
    for symbol, spoken in REPLACEMENTS.items():
        text = text.replace(symbol, spoken)
    return WORD.findall(ascii_fold(text).lower())
