"""Russian-aware text keys for search and sorting.

``fold`` makes the key both sides of a comparison use: Unicode NFKC, case-folded
(Cyrillic included, which SQLite's LIKE does not do), «ё» read as «е».
``search_terms`` splits a query into word stems (Snowball Russian for Cyrillic words,
English for Latin ones); ``search_document`` is what is indexed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"\w+", re.UNICODE)
_CYRILLIC = re.compile(r"[а-я]")
_stem_ru = snowballstemmer.stemmer("russian")
_stem_en = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    if _CYRILLIC.search(word):
        return str(_stem_ru.stemWord(word))
    if word.isascii() and word.isalpha():
        return str(_stem_en.stemWord(word))
    return word


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def search_terms(text: str) -> list[str]:
    """Stems of the words in ``text``, in order, duplicates kept out."""
    seen: dict[str, None] = {}
    for word in words(text):
        seen.setdefault(stem(word), None)
    return list(seen)


def search_document(*parts: str | None) -> str:
    """A space-separated bag to index: every folded word and its stem.

    Queries match their stems as prefixes. Snowball does not always cut a word to
    the same stem in every form («кредит» → «кред», «кредита» → «кредит»); keeping
    the whole words too lets «кредита» find «кредит» and the other way round.
    """
    bag: dict[str, None] = {}
    for word in words(" ".join(p for p in parts if p)):
        bag.setdefault(word, None)
        bag.setdefault(stem(word), None)
    return " ".join(bag)
