"""The registry PDF (form 103, drawn with ReportLab): each list from a page of its
own, rows going on over the next page under the repeated column titles, long text
wrapped inside its cell and never cut off, Cyrillic as text a reader can copy."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.pdfbase import pdfmetrics

from okno.channels.post.models import PaperLetter
from okno.channels.post.services import documents, registries
from okno.channels.post.services.letters import update_letter
from okno.channels.post.services.registry_pdf import (
    CELL_PAD_X,
    COLUMN_WIDTHS,
    FONT,
    TEXT_SIZE,
    register_fonts,
    wrap,
)
from okno.channels.post.tests.helpers import configure, letters, paper_reply, pdf_text
from okno.testing import Org

LONG_ADDRESS = (
    "ул. Генерала Ивана Даниловича Черняховского, д. 118, корп. 3, стр. 2, подъезд 4, этаж 12, "
    "кв. 345, вход со двора, код домофона 345В"
)


def _in_order(words: list[str], text: list[str]) -> bool:
    """``words`` appear in ``text`` (the document's strings, split at spaces) in order."""
    shown = iter(" ".join(text).split(" "))
    return all(word in shown for word in words)


def test_eighty_letters_make_three_lists_and_a_long_address_wraps_whole(org: Org) -> None:
    configure(org)
    made = letters(org, 80)
    update_letter(org.anna, made[0].pk, {"address": LONG_ADDRESS})
    batch = registries.form_registry(org.dina, None)
    pages = pdf_text(documents.registry_pdf(batch))
    with translation.override("ru"):
        titles = [_("List No. %(number)s") % {"number": n} for n in (1, 2, 3)]
        continued = {_("List No. %(number)s (continued)") % {"number": n} for n in (1, 2, 3)}
        column_words = [word for title in documents.column_titles() for word in title.split()]

    # A page of its own for each list; 35 two-line addresses go on over a second page,
    # which says whose it is and repeats the column titles.
    assert [page[0] for page in pages if page[0] in titles] == titles
    assert len(pages) > 3
    for page in pages:
        assert page[0] in titles or page[0] in continued
        assert _in_order(column_words, page)
        assert page[-1].endswith(f" / {len(pages)}")  # the page number

    # Every letter once, with its addressee in Cyrillic.
    shown = [text for page in pages for text in page]
    numbers = list(PaperLetter.objects.values_list("tracking_number", flat=True))
    assert len(numbers) == 80 and all(shown.count(number) == 1 for number in numbers)
    assert shown.count("Иванов Иван Иванович") == 80

    # The long address is all there, in its cell's lines one under another, not one
    # line running over the next columns.
    address = documents.full_address(PaperLetter.objects.get(pk=made[0].pk))
    assert LONG_ADDRESS in address and address in " ".join(shown)
    assert not any(address in text for text in shown)


def test_a_row_taller_than_a_page_goes_on_over_the_next(org: Org) -> None:
    configure(org)
    letter = paper_reply(org)
    street = ", ".join(f"строение-{k}" for k in range(1, 800))  # ~150 lines of the address column
    update_letter(org.anna, letter.pk, {"address": street, "special_marks": "Вручить лично"})
    batch = registries.form_registry(org.dina, None)
    pages = pdf_text(documents.registry_pdf(batch))
    assert len(pages) >= 2
    address = documents.full_address(PaperLetter.objects.get(pk=letter.pk))
    assert _in_order(address.split(" "), [text for page in pages for text in page])
    assert _in_order(["Вручить", "лично"], pages[0])  # the other cells of the row start with it


def test_wrapped_lines_fit_their_cell_and_keep_every_character() -> None:
    register_fonts()
    width = COLUMN_WIDTHS[2] - 2 * CELL_PAD_X
    lines = wrap(LONG_ADDRESS, FONT, TEXT_SIZE, width)
    assert len(lines) >= 2 and " ".join(text for text, _w in lines) == LONG_ADDRESS
    for text, line_width in lines:
        assert line_width <= width
        assert line_width == pytest.approx(pdfmetrics.stringWidth(text, FONT, TEXT_SIZE))
    word = "Ж" * 300  # no space to break at: broken inside the word
    pieces = wrap(word, FONT, TEXT_SIZE, width)
    assert len(pieces) > 1 and "".join(text for text, _w in pieces) == word
    assert all(line_width <= width for _t, line_width in pieces)
    assert wrap("Москва\nул. Ленина", FONT, TEXT_SIZE, width) == [
        ("Москва", pytest.approx(pdfmetrics.stringWidth("Москва", FONT, TEXT_SIZE))),
        ("ул. Ленина", pytest.approx(pdfmetrics.stringWidth("ул. Ленина", FONT, TEXT_SIZE))),
    ]
