"""Printed documents of the post: letters (PDF) and registries (form 103, PDF and
XLSX). Documents for the post office are in Russian whatever the reader's
interface language, as the post office reads them."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from okno.channels.post.models import PaperLetter, PostRegistry, PostSettings, RegistryBatch
from okno.core.pdf import render_pdf
from okno.core.spreadsheet import xlsx_text

DOCUMENT_LANGUAGE = "ru"


def money(value: Decimal) -> str:
    """1234.5 → "1 234,50", as Russian forms write sums."""
    return f"{value:,.2f}".replace(",", "\u00a0").replace(".", ",")


def kilograms(grams: int) -> str:
    return f"{grams / 1000:.3f}".replace(".", ",")


# --- letters ----------------------------------------------------------------------


def letters_pdf(letters: Sequence[PaperLetter]) -> bytes:
    """Letters on the organisation's letterhead, each on its own pages, in one PDF."""
    conf = PostSettings.load()
    rows = []
    for letter in letters:
        message = letter.message
        author = message.author
        rows.append(
            {
                "letter": letter,
                "number": letter.appeal.number,
                "appeal_date": timezone.localtime(letter.appeal.created_at).date(),
                "date": timezone.localtime(message.sent_at or message.created_at).date(),
                "paragraphs": [p for p in message.body_text.split("\n\n") if p.strip()],
                "signer": author.get_full_name() or author.get_username() if author else "",
            }
        )
    with translation.override(DOCUMENT_LANGUAGE):
        return render_pdf("post/letter_pdf.html", {"conf": conf, "rows": rows})


def letters_for_print(queryset: Any) -> list[PaperLetter]:
    return list(queryset.select_related("appeal", "message", "message__author").order_by("created_at", "id"))


# --- registries ---------------------------------------------------------------------


@dataclass
class ListData:
    """One list of form 103 with its rows and totals, as both outputs show it."""

    registry: PostRegistry
    letters: list[PaperLetter]
    totals: dict[str, Any] = field(default_factory=dict)


def _lists(batch: RegistryBatch) -> list[ListData]:
    registries = (
        PostRegistry.objects.filter(batch=batch)
        .order_by("number")
        .prefetch_related(
            Prefetch(
                "letters",
                queryset=PaperLetter.objects.order_by("position").only(
                    "id",
                    "registry_id",
                    "position",
                    "addressee",
                    "address",
                    "locality",
                    "postcode",
                    "phone",
                    "tracking_number",
                    "weight_g",
                    "declared_value",
                    "cash_on_delivery",
                    "postage",
                    "special_marks",
                ),
            )
        )
    )
    out = []
    for registry in registries:
        letters = list(registry.letters.all())
        out.append(
            ListData(
                registry=registry,
                letters=letters,
                totals={
                    "count": len(letters),
                    "weight_g": sum(letter.weight_g for letter in letters),
                    "declared_value": sum((letter.declared_value for letter in letters), Decimal(0)),
                    "cash_on_delivery": sum((letter.cash_on_delivery for letter in letters), Decimal(0)),
                    "postage": sum((letter.postage for letter in letters), Decimal(0)),
                },
            )
        )
    return out


def full_address(letter: PaperLetter) -> str:
    return ", ".join(part for part in (letter.postcode, letter.locality, letter.address.replace("\n", ", ")) if part)


def registry_pdf(batch: RegistryBatch) -> bytes:
    """All lists of the registry in one landscape A4 document, each list from a new
    page. Drawn with ReportLab, not WeasyPrint: see ``registry_pdf.py``."""
    from okno.channels.post.services import registry_pdf  # it builds on this module

    lists = _lists(batch)
    with translation.override(DOCUMENT_LANGUAGE):
        return registry_pdf.render(lists)


def column_titles() -> list[str]:
    return [
        _("№"),
        _("Addressee"),
        _("Postal address"),
        _("Phone"),
        _("Tracking number (ШПИ)"),
        _("Weight, kg"),
        _("Declared value, RUB"),
        _("Cash on delivery, RUB"),
        _("Postage, RUB"),
        _("Special marks"),
    ]


def registry_xlsx(batch: RegistryBatch) -> bytes:
    """The registry as a workbook: a sheet per list, its header lines, then the table
    with the columns of form 103 and a totals row."""
    from openpyxl import Workbook

    lists = _lists(batch)
    book = Workbook(write_only=True)
    with translation.override(DOCUMENT_LANGUAGE):
        titles = column_titles()
        for data in lists:
            reg = data.registry
            sheet = book.create_sheet(title=_("List %(number)s") % {"number": reg.number})
            sheet.column_dimensions["B"].width = 32
            sheet.column_dimensions["C"].width = 48
            sheet.column_dimensions["E"].width = 18
            sheet.append([_("List of internal mail items No. %(number)s (form 103)") % {"number": reg.number}])
            sheet.append([_("Date"), reg.date])
            sheet.append([_("Kind of mail"), reg.get_mail_kind_display()])
            sheet.append([_("Class"), reg.get_mail_class_display()])
            sheet.append([_("Who pays"), reg.get_payer_display()])
            sheet.append([_("Payment method"), reg.get_payment_method_display()])
            sheet.append([_("Sender"), reg.sender_name, reg.sender_address.replace("\n", ", ")])
            sheet.append([_("Accepting post office"), reg.office_postcode, reg.office_name])
            sheet.append([])
            sheet.append(titles)
            for letter in data.letters:
                sheet.append(
                    [
                        letter.position,
                        xlsx_text(sheet, letter.addressee),
                        xlsx_text(sheet, full_address(letter)),
                        xlsx_text(sheet, letter.phone),
                        letter.tracking_number,
                        round(letter.weight_g / 1000, 3),
                        letter.declared_value,
                        letter.cash_on_delivery,
                        letter.postage,
                        xlsx_text(sheet, letter.special_marks),
                    ]
                )
            totals = data.totals
            sheet.append(
                [
                    _("Total"),
                    totals["count"],
                    "",
                    "",
                    "",
                    round(totals["weight_g"] / 1000, 3),
                    totals["declared_value"],
                    totals["cash_on_delivery"],
                    totals["postage"],
                    "",
                ]
            )
        if not lists:
            book.create_sheet(title=_("List"))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def registry_filename(batch: RegistryBatch, extension: str) -> str:
    return f"f103-{timezone.localtime(batch.created_at):%Y%m%d}-{batch.pk}.{extension}"
