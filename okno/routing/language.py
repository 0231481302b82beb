"""Which language an appeal is written in, for agents' language skills."""

from __future__ import annotations

import re

RUSSIAN = "ru"
ENGLISH = "en"
# Enough of the text to tell; a long letter says it in its first lines.
_SAMPLE = 2000
_CYRILLIC = re.compile("[а-яА-ЯёЁ]")
_LATIN = re.compile("[A-Za-z]")


def detect(text: str) -> str:
    """ "ru" when Cyrillic letters make up at least a third of the letters, "en" when
    there are letters and they are mostly Latin, "" for a text without letters."""
    sample = text[:_SAMPLE]
    cyrillic = len(_CYRILLIC.findall(sample))
    latin = len(_LATIN.findall(sample))
    if not cyrillic and not latin:
        return ""
    return RUSSIAN if cyrillic * 2 >= latin else ENGLISH
