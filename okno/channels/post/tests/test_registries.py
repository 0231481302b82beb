"""Forming registries (form 103): lists of at most 35, numbered per day, tracking
numbers assigned with their check digit and never twice, the PDF and workbook,
posting (replies sent, events) and undoing."""

from __future__ import annotations

import io
import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import translation
from openpyxl import load_workbook

from okno.appeals.choices import DeliveryStatus, EventKind
from okno.appeals.models import Event, Message
from okno.channels.post import tracking
from okno.channels.post.choices import LetterStatus, RegistryStatus
from okno.channels.post.models import PaperLetter, PostRegistry
from okno.channels.post.services import documents, registries
from okno.channels.post.services.letters import update_letter
from okno.channels.post.tests.helpers import configure, letters, paper_reply, pdf_pages, pdf_unicode_text
from okno.core.errors import Conflict, InvalidInput, NotFound
from okno.testing import Org, build_org


def test_eighty_letters_make_three_lists_numbered_on_through_the_day(org: Org) -> None:
    configure(org)
    made = letters(org, 80)
    batch = registries.form_registry(org.dina, None)
    lists = list(PostRegistry.objects.filter(batch=batch).order_by("number"))
    assert [pr.number for pr in lists] == [1, 2, 3]
    assert [pr.letters.count() for pr in lists] == [35, 35, 10]
    assert sorted(PaperLetter.objects.filter(registry__batch=batch).values_list("position", flat=True))[:2] == [1, 1]
    numbers = list(PaperLetter.objects.values_list("tracking_number", flat=True))
    assert len(set(numbers)) == 80 and all(tracking.is_valid(n) for n in numbers)
    assert all(n.startswith("125009") for n in numbers)
    assert set(PaperLetter.objects.values_list("status", flat=True)) == {LetterStatus.IN_REGISTRY}
    assert lists[0].sender_name == "АО «Банк Окно»" and lists[0].office_postcode == "125009"

    # The next registry of the day goes on from list 4; the letters are no longer waiting.
    more = letters(org, 2)
    second = registries.form_registry(org.dina, [letter.pk for letter in more])
    assert list(second.lists.values_list("number", flat=True)) == [4]
    with pytest.raises(Conflict):
        registries.form_registry(org.dina, [made[0].pk])


def test_foreign_or_missing_letters_form_nothing(org: Org) -> None:
    configure(org)
    mine = paper_reply(org)
    theirs = paper_reply(org)
    org.claims.memberships.filter(user=org.sergey).delete()
    with pytest.raises(NotFound):
        registries.form_registry(org.sergey, [mine.pk])
    with pytest.raises(NotFound):
        registries.form_registry(org.dina, [mine.pk, 10**9])
    with pytest.raises(InvalidInput):
        registries.form_registry(org.dina, [])
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        registries.form_registry(org.anna, [mine.pk])  # agents do not handle the post
    assert not PostRegistry.objects.exists()
    assert PaperLetter.objects.get(pk=theirs.pk).status == LetterStatus.TO_PRINT


def test_a_letter_without_a_complete_address_holds_the_registry(org: Org) -> None:
    configure(org)
    from okno.appeals.choices import Channel
    from okno.appeals.services import reply

    reply(org.anna, org.appeal(channel=Channel.PAPER), body_text="Ответ")  # the client has no postal address
    with pytest.raises(InvalidInput):
        registries.form_registry(org.dina, None)
    assert not PostRegistry.objects.exists()


def test_the_workbook_reads_back_with_the_form_103_columns_and_totals(org: Org) -> None:
    configure(org)
    first = paper_reply(org)
    update_letter(org.anna, first.pk, {"weight_g": 40, "postage": "95.50", "declared_value": "100"})
    letters(org, 36)
    batch = registries.form_registry(org.dina, None)
    book = load_workbook(io.BytesIO(documents.registry_xlsx(batch)))
    assert len(book.sheetnames) == 2
    sheet = book[book.sheetnames[0]]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "№")
    header = rows[header_at]
    with translation.override("ru"):
        assert header == documents.column_titles()  # the ten columns of form 103, in Russian
    assert len(header) == 10 and "ШПИ" in header[4]
    items = rows[header_at + 1 : header_at + 36]
    assert len(items) == 35 and items[0][0] == 1 and items[-1][0] == 35
    assert all(tracking.is_valid(r[4]) for r in items)
    total = rows[header_at + 36]
    assert total[1] == 35
    assert any(r[1] == "Иванов Иван Иванович" and "620014" in r[2] for r in items)
    assert float(total[8]) == pytest.approx(95.5)


def test_an_addressee_that_looks_like_a_formula_stays_text_in_the_workbook(org: Org) -> None:
    configure(org)
    letter = paper_reply(org)
    update_letter(org.anna, letter.pk, {"addressee": "=1+2"})
    book = load_workbook(io.BytesIO(documents.registry_xlsx(registries.form_registry(org.dina, None))))
    sheet = book[book.sheetnames[0]]
    cell = next(row[1] for row in sheet.iter_rows() if row[1].value == "=1+2")
    assert cell.data_type == "s"


def test_the_pdf_holds_every_list_in_cyrillic(org: Org) -> None:
    configure(org)
    letters(org, 36)
    batch = registries.form_registry(org.dina, None)
    pdf = documents.registry_pdf(batch)
    assert pdf.startswith(b"%PDF")
    # The glyphs of the addressees' names and addresses are in the document, mapped
    # back to Cyrillic letters (a missing glyph would map to nothing).
    assert set("ИвановЕкатеринбургЛенина") <= pdf_unicode_text(pdf)
    # Each list starts on a page of its own (35 two-line addresses may take two pages).
    assert 2 <= pdf_pages(pdf) <= 4


def test_a_letter_pdf_carries_the_letterhead_and_the_text(org: Org) -> None:
    configure(org)
    letter = paper_reply(org, "Уважаемый Иван Иванович! Комиссия возвращена на счёт.")
    data = documents.letters_pdf(documents.letters_for_print(PaperLetter.objects.filter(pk=letter.pk)))
    assert data.startswith(b"%PDF")
    assert set("БанкОкноКомиссиявозвращенаЛенинаЕкатеринбург") <= pdf_unicode_text(data)


def test_posting_sends_each_reply_with_its_tracking_number_and_an_event(org: Org) -> None:
    configure(org)
    made = letters(org, 3)
    batch = registries.form_registry(org.sergey, [letter.pk for letter in made])
    registries.post_registry(org.sergey, batch.pk)
    for letter in PaperLetter.objects.filter(pk__in=[m.pk for m in made]):
        assert letter.status == LetterStatus.POSTED and letter.posted_at is not None
        message = Message.objects.get(pk=letter.message_id)
        assert message.delivery_status == DeliveryStatus.SENT and message.sent_at is not None
        assert message.external_id == letter.tracking_number
        event = Event.objects.filter(appeal_id=letter.appeal_id, kind=EventKind.REPLY_SENT).order_by("-id").first()
        assert event is not None and letter.tracking_number in event.comment
    with pytest.raises(Conflict):
        registries.post_registry(org.sergey, batch.pk)
    with pytest.raises(Conflict):
        registries.undo_registry(org.sergey, batch.pk)
    with pytest.raises(Conflict):
        update_letter(org.anna, made[0].pk, {"weight_g": 50})


def test_undoing_a_registry_puts_its_letters_back_and_frees_its_numbers(org: Org) -> None:
    configure(org)
    made = letters(org, 2)
    batch = registries.form_registry(org.dina, None)
    numbers = set(PaperLetter.objects.values_list("tracking_number", flat=True))
    registries.undo_registry(org.dina, batch.pk)
    batch.refresh_from_db()
    assert batch.status == RegistryStatus.UNDONE and not batch.lists.exists()
    assert set(PaperLetter.objects.values_list("status", flat=True)) == {LetterStatus.TO_POST}
    again = registries.form_registry(org.dina, [m.pk for m in made])
    assert list(again.lists.values_list("number", flat=True)) == [1]
    assert set(PaperLetter.objects.values_list("tracking_number", flat=True)) == numbers  # kept


def test_the_counter_restarts_each_month_and_stops_at_the_end_of_its_range(org: Org) -> None:
    from datetime import date

    configure(org, serial_from=10, serial_to=12)
    assert registries.assign_numbers(2, date(2026, 5, 3)) == [
        tracking.make("125009", "05", 10),
        tracking.make("125009", "05", 11),
    ]
    with pytest.raises(Conflict):
        registries.assign_numbers(2, date(2026, 5, 20))
    assert registries.assign_numbers(1, date(2026, 6, 1)) == [tracking.make("125009", "06", 10)]


@pytest.mark.django_db(transaction=True)
def test_numbers_assigned_at_the_same_time_never_repeat() -> None:
    org = build_org()
    configure(org)
    results: list[list[str]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def take() -> None:
        try:
            start.wait()
            for _ in range(5):
                results.append(registries.assign_numbers(7))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = [n for chunk in results for n in chunk]
    assert len(numbers) == 4 * 5 * 7 and len(set(numbers)) == len(numbers)
