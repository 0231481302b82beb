"""Full-text search over appeals, the same behaviour on SQLite and PostgreSQL.

The document is a bag of Snowball stems built in Python (``okno.lib.text``), so
Russian morphology and «ё»/case folding do not depend on the database. SQLite
indexes it with FTS5, PostgreSQL with a GIN index over ``to_tsvector('simple', …)``;
both match each query stem as a prefix.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from okno.appeals.models import Appeal, AppealSearch, Message
from okno.lib.text import search_document, search_terms

MAX_DOCUMENT_CHARS = 60_000
_NUMBER = re.compile(r"^\s*(\d{4})-(\d{1,9})\s*$")


def build_document(appeal: Appeal) -> str:
    texts = Message.objects.filter(appeal_id=appeal.pk).exclude(direction="note").values_list("body_text", flat=True)
    client_name = appeal.client.name if appeal.client is not None else ""
    parts = [appeal.number, appeal.subject, appeal.description, client_name, *texts]
    return search_document(*parts)[:MAX_DOCUMENT_CHARS]


def words_of(*texts: str) -> str:
    """The search words of some texts, computed before a transaction (stemming is
    the slow part) and handed to :func:`new_document` or :func:`append` inside it."""
    return search_document(*texts)[:MAX_DOCUMENT_CHARS]


def new_document(appeal: Appeal, words: str) -> str:
    """The search document of a just-registered appeal (registration inserts it):
    its number and ``words_of`` its texts."""
    return f"{search_document(appeal.number)} {words}".strip()[:MAX_DOCUMENT_CHARS]


def reindex(appeal: Appeal) -> None:
    AppealSearch.objects.update_or_create(appeal=appeal, defaults={"document": build_document(appeal)})


def append(appeal: Appeal, addition: str) -> None:
    """Add ``words_of`` a new message to the appeal's document."""
    if not addition:
        return
    entry, _ = AppealSearch.objects.get_or_create(appeal=appeal)
    if len(entry.document) < MAX_DOCUMENT_CHARS:
        entry.document = f"{entry.document} {addition}"[:MAX_DOCUMENT_CHARS]
        entry.save(update_fields=["document"])


def filter_text(queryset: QuerySet[Appeal], text: str) -> QuerySet[Appeal]:
    """Appeals whose number is ``text``, or whose words match all of its words."""
    text = text.strip()
    if not text:
        return queryset
    number = _NUMBER.match(text)
    if number:
        return queryset.filter(year=int(number.group(1)), seq=int(number.group(2)))
    terms = search_terms(text)[:12]
    if not terms:
        return queryset.none()
    if connection.vendor == "postgresql":
        matching = RawSQL(
            "SELECT appeal_id FROM appeals_appealsearch "
            "WHERE to_tsvector('simple', document) @@ to_tsquery('simple', %s)",
            [" & ".join(f"{term}:*" for term in terms)],
        )
    else:
        matching = RawSQL(
            "SELECT rowid FROM appeals_search_fts WHERE appeals_search_fts MATCH %s",
            [" ".join(f'"{term}"*' for term in terms)],
        )
    condition = Q(id__in=matching)
    # A bare number may be the number within the year. ``isdecimal`` (not ``isdigit``,
    # which passes "²" that ``int`` refuses) and a length cap keep it a valid integer.
    if text.isdecimal() and len(text) <= 9:
        condition |= Q(seq=int(text))
    return queryset.filter(condition)
