"""What the classifier reads of a text: character n-grams, word lemmas, or both.

Russian and English alike, with nothing downloaded: Russian words are lemmatised by
pymorphy3 with the dictionaries installed as a package («кредита», «кредитом» →
«кредит»), Latin words are stemmed by Snowball's English stemmer (the stemming search
uses, ``okno.lib.text``), anything else (numbers, the CFPB's «XXXX» masks) is kept as
it is. Texts are folded first (NFKC, case, «ё» → «е»), as search folds them.

The functions below are module-level on purpose: a fitted vectoriser keeps a
reference to them, and a pickled model finds them again by name.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from okno.lib.text import fold, stem, words

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

CHARS, LEMMAS, BOTH = "chars", "lemmas", "both"
FEATURES = (CHARS, LEMMAS, BOTH)
# Chosen by the measurements in bench/README.md ("Classifier").
DEFAULT_FEATURES = CHARS

_CYRILLIC = re.compile(r"[а-я]")
# What a model reads of a text: its beginning. Measured on the CFPB set (5-fold
# macro-F1, bench/README.md "Classifier"): 1,000 characters 0.676, 1,500 0.697, 2,000
# 0.695, all of it (up to 20,000) 0.696; the time to read a text grows with its length.
TEXT_CHARS = 1500
# Below this many training texts a term seen once is kept (else nothing may remain).
_SMALL = 50
_morph: Any = None
_morph_lock = threading.Lock()


def _analyzer() -> Any:
    """pymorphy3's analyser, loaded once per process (about 0.2 s, 15 MB)."""
    global _morph
    if _morph is None:
        with _morph_lock:
            if _morph is None:
                import pymorphy3

                _morph = pymorphy3.MorphAnalyzer(lang="ru")
    return _morph


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The dictionary form of a folded Russian word, the Snowball stem of a Latin one."""
    if _CYRILLIC.search(word):
        return str(_analyzer().parse(word)[0].normal_form).replace("ё", "е")
    return stem(word)


def head(text: str) -> str:
    """The part of a text the models read."""
    return text[:TEXT_CHARS]


def folded_head(text: str) -> str:
    return fold(head(text))


def lemmas(text: str) -> list[str]:
    """The lemmas of the words of ``text``, in order."""
    return [lemma(word) for word in words(text)]


def char_vectorizer(min_df: int = 2) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    # char_wb: n-grams inside word boundaries (padded with spaces), so a word's
    # ending and beginning are features of their own and no n-gram spans two words.
    return TfidfVectorizer(
        analyzer="char_wb",
        preprocessor=folded_head,
        ngram_range=(2, 5),
        min_df=min_df,
        sublinear_tf=True,
        max_features=300_000,
    )


def lemma_vectorizer(min_df: int = 2) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        tokenizer=lemmas,
        preprocessor=head,
        lowercase=False,  # lemmas() folds
        token_pattern=None,
        ngram_range=(1, 2),
        min_df=min_df,
        sublinear_tf=True,
        max_features=300_000,
    )


def vectorizer(features: str, *, examples: int) -> TfidfVectorizer | FeatureUnion:
    """A fresh (unfitted) vectoriser of the named kind for ``examples`` training texts."""
    from sklearn.pipeline import FeatureUnion

    min_df = 1 if examples < _SMALL else 2
    if features == CHARS:
        return char_vectorizer(min_df)
    if features == LEMMAS:
        return lemma_vectorizer(min_df)
    if features == BOTH:
        return FeatureUnion([(CHARS, char_vectorizer(min_df)), (LEMMAS, lemma_vectorizer(min_df))])
    raise ValueError(f"unknown features {features!r}; known: {', '.join(FEATURES)}")
