"""The character n-gram features of a fitted ``char_wb`` vectoriser, word by word.

scikit-learn cuts every n-gram of every word of a text in Python and looks each
one up: about 2 ms for an ordinary letter, most of a suggestion's time. The n-grams
of a word depend on the word alone and letters repeat their words, so here each
distinct word's feature columns are found once per process and kept (a bounded
number of words). The matrix is the vectoriser's own, value for value
(``tests/test_fastchars.py`` compares them); the model needs no retraining.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Distinct words kept per model (a few tens of MB at most); past it the memory is
# emptied and filled again, which costs one slow text.
MAX_WORDS = 100_000


class CharFeatures:
    """``transform(texts)`` equal to ``vectorizer.transform(texts)``, faster."""

    def __init__(self, vectorizer: Any, max_words: int = MAX_WORDS) -> None:
        self.vectorizer = vectorizer
        self.preprocess = vectorizer.build_preprocessor()
        self.decode = vectorizer.decode
        self.white_spaces = vectorizer._white_spaces
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.min_n, self.max_n = vectorizer.ngram_range
        self.max_words = max_words
        self.words: dict[str, tuple[int, ...]] = {}

    @staticmethod
    def applies(vectorizer: Any) -> bool:
        """Whether ``vectorizer`` is a fitted TF-IDF of ``char_wb`` n-grams this class reproduces."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        return (
            type(vectorizer) is TfidfVectorizer
            and vectorizer.analyzer == "char_wb"
            and vectorizer.input == "content"
            and not vectorizer.binary
            and vectorizer.norm in ("l2", None)
            and hasattr(vectorizer, "vocabulary_")
        )

    def columns(self, word: str) -> tuple[int, ...]:
        """The known feature columns of ``word``'s n-grams, with repeats (as
        ``_char_wb_ngrams`` cuts them: padded with a space each side; a word shorter
        than an n-gram counts once)."""
        found = self.words.get(word)
        if found is not None:
            return found
        padded = f" {word} "
        length = len(padded)
        vocabulary = self.vocabulary
        out = []
        for n in range(self.min_n, self.max_n + 1):
            last = max(length - n, 0)
            for offset in range(last + 1):
                column = vocabulary.get(padded[offset : offset + n])
                if column is not None:
                    out.append(column)
            if last == 0:
                break
        found = tuple(out)
        if len(self.words) >= self.max_words:
            self.words.clear()
        self.words[word] = found
        return found

    def rows(self, texts: Sequence[str]) -> list[tuple[Any, Any]]:
        """Per text its TF-IDF row as (columns, values): counts per column, then the
        vectoriser's weighting (sublinear tf, idf, l2 norm) as ``TfidfTransformer``
        applies it."""
        import numpy as np

        vectorizer = self.vectorizer
        idf = vectorizer.idf_ if vectorizer.use_idf else None
        columns = self.columns
        out = []
        for text in texts:
            found: list[int] = []
            for word in self.white_spaces.sub(" ", self.preprocess(self.decode(text))).split():
                found += columns(word)
            unique, counts = np.unique(np.asarray(found, dtype=np.int32), return_counts=True)
            values = counts.astype(np.float64)
            if vectorizer.sublinear_tf:
                values = np.log(values) + 1
            if idf is not None:
                values *= idf[unique]
            if vectorizer.norm == "l2" and len(values):
                values /= np.sqrt(np.dot(values, values))
            out.append((unique, values.astype(vectorizer.dtype, copy=False)))
        return out

    def transform(self, texts: Sequence[str]) -> Any:
        """The TF-IDF matrix of ``texts`` (sparse, as the vectoriser returns it)."""
        import numpy as np
        import scipy.sparse as sp

        rows = self.rows(texts)
        indptr = np.zeros(len(rows) + 1, dtype=np.int32)
        np.cumsum([len(c) for c, _v in rows], out=indptr[1:])
        return sp.csr_matrix(
            (
                np.concatenate([v for _c, v in rows] or [np.empty(0)]),
                np.concatenate([c for c, _v in rows] or [np.empty(0, np.int32)]),
                indptr,
            ),
            shape=(len(rows), len(self.vocabulary)),
        )
