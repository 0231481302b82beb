"""Where training examples come from: the organisation's closed appeals, or a CSV
export (a new organisation bootstrapping from its old system).

An example is what registration shows the classifier of a new appeal
(``okno.routing.pipeline.classifier_text``): the subject and the client's first
message, or the description when there is none. Its label is the appeal's category
(or queue, kind, product).
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.utils.text import slugify
from django.utils.translation import gettext as _

from okno.appeals.choices import Direction, Status
from okno.appeals.models import Appeal, Message
from okno.core.errors import InvalidInput
from okno.lib.text import fold
from okno.routing.classifier.services.targets import MAX_TEXT, classifier_text, target_model
from okno.routing.classifier.services.training import Dataset

# The newest closed appeals a model learns from: enough for any organisation's
# topics, and training stays within minutes on one core.
MAX_APPEALS = 50_000

# --- closed appeals ----------------------------------------------------------------


@dataclass
class AppealData:
    dataset: Dataset
    closed_until: datetime | None  # the latest closing among the examples


def closed_appeals(target: str, *, since: datetime | None = None) -> models.QuerySet[Appeal]:
    """Closed appeals with the target field set (closed after ``since`` if given)."""
    target_model(target)
    field = f"{target}_id"
    queryset = Appeal.objects.filter(status=Status.CLOSED).exclude(**{f"{field}__isnull": True})
    if since is not None:
        queryset = queryset.filter(closed_at__gt=since)
    return queryset


def appeals_dataset(target: str) -> AppealData:
    """The newest ``MAX_APPEALS`` closed appeals as labelled examples, keyed by id."""
    model = target_model(target)
    first_inbound = Message.objects.filter(appeal=OuterRef("pk"), direction=Direction.INBOUND).order_by(
        "created_at", "id"
    )
    rows = list(
        closed_appeals(target)
        .annotate(first_text=Subquery(first_inbound.values("body_text")[:1]))
        .order_by("-closed_at", "-id")
        .values_list("id", "subject", "description", "first_text", f"{target}_id", "closed_at")[:MAX_APPEALS]
    )
    rows.reverse()
    names = {str(pk): display for pk, display in _names(model, {row[4] for row in rows}).items()}
    dataset = Dataset(
        texts=[classifier_text(row[1], row[3] or row[2] or "") for row in rows],
        labels=[str(row[4]) for row in rows],
        names=names,
        keys=[row[0] for row in rows],
        source="appeals",
    )
    closed = [row[5] for row in rows if row[5] is not None]
    return AppealData(dataset, max(closed) if closed else None)


def _names(model: type[Any], pks: set[int]) -> dict[int, str]:
    return {row.pk: str(row.display_name) for row in model._default_manager.filter(pk__in=pks)}


# --- CSV ---------------------------------------------------------------------------


@dataclass
class CsvData:
    texts: list[str]
    labels: list[str]  # as written in the file (stripped)
    skipped: int  # rows without a text or a label
    rows: list[int]  # the data row number (1 = the first after the header) of each example


def read_csv(path: str | Path, text_column: str, label_column: str) -> CsvData:
    """Texts and labels from a CSV with a header row (UTF-8, a BOM allowed)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    texts: list[str] = []
    labels: list[str] = []
    numbers: list[int] = []
    skipped = 0
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            missing = [c for c in (text_column, label_column) if c not in columns]
            if missing:
                raise InvalidInput(
                    _("The CSV has no column %(missing)s; its columns: %(columns)s.")
                    % {"missing": ", ".join(f"“{c}”" for c in missing), "columns": ", ".join(columns) or "—"}
                )
            for number, row in enumerate(reader, start=1):
                text = (row.get(text_column) or "").strip()
                label = (row.get(label_column) or "").strip()
                if not text or not label:
                    skipped += 1
                    continue
                texts.append(text[:MAX_TEXT])
                labels.append(label)
                numbers.append(number)
    except FileNotFoundError:
        raise InvalidInput(_("No such file: %(path)s") % {"path": path}) from None
    except UnicodeDecodeError:
        raise InvalidInput(_("The CSV must be UTF-8 text.")) from None
    except csv.Error as exc:
        raise InvalidInput(_("The CSV cannot be read: %(error)s") % {"error": exc}) from None
    return CsvData(texts, labels, skipped, numbers)


def csv_dataset(data: CsvData, source: str) -> Dataset:
    """The CSV's own labels as classes (evaluation needs no categories at all)."""
    return Dataset(
        list(data.texts), list(data.labels), {label: label for label in data.labels}, list(data.rows), source
    )


class UnmatchedLabels(InvalidInput):
    """Labels of a CSV that name no row of the target's model."""

    def __init__(self, message: str, labels: list[str]) -> None:
        super().__init__(message, field="label_column")
        self.labels = labels


def match_labels(target: str, labels: list[str], *, create_missing: bool = False) -> dict[str, Any]:
    """Each distinct label → the row of the target's model whose code, name or English
    name it is (case-insensitively). Unmatched labels are refused, listed, unless
    ``create_missing``: then a row is created for each (code from the label)."""
    model = target_model(target)
    index: dict[str, Any] = {}
    rows = list(model._default_manager.all())
    # Codes win over names, names over English names, when two rows would match.
    for attribute in ("name_en", "name", "code"):
        for row in rows:
            value = getattr(row, attribute, "")
            if value:
                index[fold(value).strip()] = row
    found: dict[str, Any] = {}
    missing: list[str] = []
    for label in dict.fromkeys(labels):
        row = index.get(fold(label).strip())
        if row is None:
            missing.append(label)
        else:
            found[label] = row
    if missing and not create_missing:
        raise UnmatchedLabels(
            _(
                "These labels match no %(model)s by code or name: %(labels)s. Create them first, or pass --create-missing."
            )
            % {"model": model._meta.verbose_name, "labels": "; ".join(missing)},
            missing,
        )
    if missing:
        with transaction.atomic():
            for label in missing:
                found[label] = _create(model, label)
    return found


def _create(model: type[Any], label: str) -> Any:
    length = model._meta.get_field("code").max_length
    base = (slugify(_transliterate(label)) or "label")[: length - 4].strip("-") or "label"
    code, n = base, 1
    while model._default_manager.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    name = label[: model._meta.get_field("name").max_length]
    return model._default_manager.create(code=code, name=name, name_en=name if name.isascii() else "")


# fmt: off
_CYRILLIC_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
})
# fmt: on


def _transliterate(text: str) -> str:
    return text.lower().translate(_CYRILLIC_LATIN)


def matched_dataset(data: CsvData, rows: dict[str, Any], source: str) -> Dataset:
    """The CSV's examples labelled with the matched rows' pks."""
    labels = [str(rows[label].pk) for label in data.labels]
    names = {str(row.pk): str(row.display_name) for row in rows.values()}
    return Dataset(list(data.texts), labels, names, list(data.rows), source)
