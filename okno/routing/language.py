"""Which language an appeal is written in, for agents' language skills."""

from __future__ import annotations

RUSSIAN = "ru"
ENGLISH = "en"
# Enough of the text to tell; a long letter says it in its first lines.
_SAMPLE = 2000


def detect(text: str) -> str:
    """ "ru" when Cyrillic letters make up at least a third of the letters, "en" when
    there are letters and they are mostly Latin, "" for a text without letters."""
    cyrillic = latin = 0
    for char in text[:_SAMPLE]:
        if "а" <= char <= "я" or "А" <= char <= "Я" or char in "ёЁ":
            cyrillic += 1
        elif char.isascii() and char.isalpha():
            latin += 1
    if not cyrillic and not latin:
        return ""
    return RUSSIAN if cyrillic * 2 >= latin else ENGLISH
