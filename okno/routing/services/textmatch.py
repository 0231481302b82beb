"""Text terms of routing rules, and the text of an appeal read once for all of them.

A term is one of:

* a word — ``кредит`` matches its word forms («кредита», «кредитом»): the word and
  its Snowball stem (``okno.lib.text``, the search's stemming) are compared with
  every word of the text and its stem, so Snowball cutting a word differently in
  different forms («кредит» → «кред», «кредита» → «кредит») still matches; a
  trailing ``*`` matches words that begin with it (``кредитн*``);
* a phrase — ``"Банк России"`` (or several words without quotes) matches those
  word forms one after another;
* a regular expression — ``/ЦБ\\s*РФ/`` searched case-insensitively (in the folded
  text, its own letters folded alike: ``fold_pattern``). It is refused on save
  when longer than ``MAX_TERM`` characters, when it does not compile, or when a quantifier repeats something that is itself
  repeated (``(a+)+``, ``(\\w*\\s?)*``): such patterns backtrack for ever on a text
  that almost matches.

The text is the appeal's subject and the client's message (at most ``MAX_TEXT``
characters of them), folded (case, «ё») and split into words once per appeal,
whatever the number of rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

from django.utils.translation import gettext as _

from okno.core.errors import InvalidInput
from okno.lib import text as textlib

MAX_TERM: Final = 500
MAX_TERMS: Final = 200
# Enough for any letter; a pasted book is read only this far.
MAX_TEXT: Final = 100_000


class Document:
    """An appeal's text as the terms see it: folded (case, «ё»), its words each with
    its stem, the set of both, and (only when a phrase may match) where each occurs."""

    def __init__(self, subject: str, text: str) -> None:
        self.raw = f"{subject}\n{text}"[:MAX_TEXT]
        self.searched: dict[re.Pattern[str], bool] = {}

    @cached_property
    def folded(self) -> str:
        return textlib.fold(self.raw)

    @cached_property
    def words(self) -> list[str]:
        return _WORD.findall(self.folded)

    @cached_property
    def stems(self) -> list[str]:
        stem = textlib.stem
        return [stem(w) for w in self.words]

    @cached_property
    def keys(self) -> frozenset[str]:
        """Every word and every stem of the text."""
        return frozenset(self.words).union(self.stems)

    @cached_property
    def positions(self) -> dict[str, list[int]]:
        """Word or stem → the positions of the words that are it or have it as stem."""
        index: dict[str, list[int]] = {}
        for i, (word, stem) in enumerate(zip(self.words, self.stems, strict=True)):
            index.setdefault(word, []).append(i)
            if stem != word:
                index.setdefault(stem, []).append(i)
        return index

    @cached_property
    def vocabulary(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.words))

    def at(self, i: int) -> tuple[str, str]:
        return self.words[i], self.stems[i]

    def search(self, pattern: re.Pattern[str]) -> bool:
        """Whether a (folded) regular expression occurs; each pattern is searched once."""
        hit = self.searched.get(pattern)
        if hit is None:
            hit = self.searched[pattern] = pattern.search(self.folded) is not None
        return hit


_WORD: Final = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class WordForm:
    """One word of a term: itself and its stem, or a prefix (``кредитн*``)."""

    keys: frozenset[str]
    prefix: str = ""

    @classmethod
    def of(cls, word: str) -> WordForm:
        if word.endswith("*"):
            return cls(keys=frozenset(), prefix=word[:-1])
        return cls(keys=frozenset({word, textlib.stem(word)}))

    def positions(self, doc: Document) -> list[int]:
        if self.prefix:
            prefix = self.prefix
            return [i for i, w in enumerate(doc.words) if w.startswith(prefix)]
        found: list[int] = []
        for key in self.keys:
            found += doc.positions.get(key, ())
        return found

    def matches_at(self, doc: Document, i: int) -> bool:
        word, stem = doc.at(i)
        if self.prefix:
            return word.startswith(self.prefix)
        return word in self.keys or stem in self.keys


class Term:
    """A compiled term; ``source`` is what the administrator wrote."""

    __slots__ = ("forms", "pattern", "source")

    def __init__(self, source: str, forms: tuple[WordForm, ...] = (), pattern: re.Pattern[str] | None = None) -> None:
        self.source = source
        self.forms = forms
        self.pattern = pattern

    def __repr__(self) -> str:
        return f"<Term {self.source!r}>"

    def found_in(self, doc: Document) -> bool:
        if self.pattern is not None:
            return doc.search(self.pattern)
        first, rest = self.forms[0], self.forms[1:]
        if not rest:
            if first.prefix:
                return any(w.startswith(first.prefix) for w in doc.vocabulary)
            return not first.keys.isdisjoint(doc.keys)
        keys = doc.keys
        if any(not form.prefix and form.keys.isdisjoint(keys) for form in self.forms):
            return False  # a word of the phrase is nowhere in the text
        last = len(doc.words) - len(rest)
        for i in first.positions(doc):
            if i < last and all(form.matches_at(doc, i + n) for n, form in enumerate(rest, start=1)):
                return True
        return False


# --- checking and compiling ---------------------------------------------------------------

_WORD_OR_PREFIX = re.compile(r"\w+\*?", re.UNICODE)


def fold_pattern(source: str) -> str:
    """A pattern that finds in the folded text what ``source`` finds case-insensitively
    in the text as written: its letters folded as the text is, escapes (``\\S``,
    ``\\A``, ``\\N{…}``) left alone. A case-sensitive search is many times faster."""
    out: list[str] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            end = i + 2
            if source[i + 1] == "N" and end < len(source) and source[end] == "{":
                end = source.find("}", end) + 1 or len(source)
            out.append(source[i:end])
            i = end
            continue
        out.append(textlib.fold(char))
        i += 1
    return "".join(out)


def _check_regex(source: str, field: str) -> re.Pattern[str]:
    try:
        re.compile(source, re.IGNORECASE | re.UNICODE)
        pattern = re.compile(fold_pattern(source), re.UNICODE)
    except (re.error, OverflowError, RecursionError) as exc:
        raise InvalidInput(
            _("The regular expression /%(re)s/ is not valid: %(error)s.") % {"re": source, "error": exc}, field=field
        ) from None
    if _nested_repeat(source):
        raise InvalidInput(
            _(
                "The regular expression /%(re)s/ repeats something that is itself repeated (like (a+)+): "
                "it could run for ever on some texts. Write it without the nested repetition."
            )
            % {"re": source},
            field=field,
        )
    return pattern


def _nested_repeat(source: str) -> bool:
    """Whether a quantifier that may repeat more than once applies to a part that
    itself contains such a quantifier (the shape of catastrophic backtracking)."""
    from re import _constants as c  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    repeats = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}

    def parts(op: Any, av: Any) -> list[Any]:
        """The sub-patterns inside one node of the parse tree."""
        if op is c.SUBPATTERN:
            return [av[-1]]
        if op is c.BRANCH:
            return list(av[1])
        if op in (c.ASSERT, c.ASSERT_NOT):
            return [av[1]]
        if op is getattr(c, "ATOMIC_GROUP", None):
            return [av]
        return []

    def walk(items: Any, inside_repeat: bool) -> bool:
        for op, av in items:
            if op in repeats:
                _low, high, sub = av
                repeats_many = high is c.MAXREPEAT or high > 1
                if (repeats_many and inside_repeat) or walk(sub, inside_repeat or repeats_many):
                    return True
            elif any(walk(part, inside_repeat) for part in parts(op, av)):
                return True
        return False

    try:
        return walk(_parser.parse(source, re.IGNORECASE | re.UNICODE), False)
    except (re.error, RecursionError, OverflowError):  # compile accepted it; be safe rather than sorry
        return True


def clean_term(value: Any, field: str) -> str:
    """A term as stored: a word, a "phrase" or a /regex/, checked; raises ``InvalidInput``."""
    if not isinstance(value, str):
        raise InvalidInput(_("Each text term must be a string."), field=field)
    term = " ".join(value.split()) if not _is_regex(value.strip()) else value.strip()
    if not term:
        raise InvalidInput(_("A text term must not be empty."), field=field)
    if len(term) > MAX_TERM:
        raise InvalidInput(
            _("A text term is at most %(n)d characters long.") % {"n": MAX_TERM},
            field=field,
        )
    compile_term(term, field)
    return term


def _is_regex(term: str) -> bool:
    return len(term) >= 3 and term.startswith("/") and term.endswith("/")


def compile_term(term: str, field: str = "text") -> Term:
    if _is_regex(term):
        return Term(term, pattern=_check_regex(term[1:-1], field))
    inner = term[1:-1] if len(term) >= 2 and term[0] == term[-1] == '"' else term
    inner = inner.replace("«", " ").replace("»", " ")
    words = _WORD_OR_PREFIX.findall(textlib.fold(inner))
    if not words:
        raise InvalidInput(_("The text term “%(term)s” has no words in it.") % {"term": term}, field=field)
    return Term(term, forms=tuple(WordForm.of(w) for w in words))


def clean_terms(values: Any, field: str) -> list[str]:
    if not isinstance(values, list):
        raise InvalidInput(_("Give the text terms as a list."), field=field)
    if len(values) > MAX_TERMS:
        raise InvalidInput(_("At most %(n)d text terms per condition.") % {"n": MAX_TERMS}, field=field)
    out: list[str] = []
    for value in values:
        term = clean_term(value, field)
        if term not in out:
            out.append(term)
    return out
