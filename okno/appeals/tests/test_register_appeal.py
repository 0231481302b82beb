"""Registering appeals: numbers, defaults, content, files, rights, bad input."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from okno.appeals.choices import Channel, Direction, EventKind, Priority, Status
from okno.appeals.models import Appeal, AppealSearch
from okno.appeals.services import InboundContent, IncomingFile, SystemActor, register_appeal
from okno.core.errors import InvalidInput, PermissionDenied
from okno.deadlines.calendar import get_calendar
from okno.deadlines.choices import TermUnit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_numbers_are_sequential_within_the_year(org):
    first, second, third = (org.appeal() for _ in range(3))
    year = timezone.localtime().year
    assert [a.number for a in (first, second, third)] == [f"{year}-00000{i}" for i in (1, 2, 3)]


def test_numbering_starts_again_each_year(org):
    with time_machine.travel("2025-12-31 20:59:00+00:00", tick=False):  # 23:59 in Moscow
        last_of_2025 = org.appeal()
    with time_machine.travel("2025-12-31 21:01:00+00:00", tick=False):  # 00:01 in Moscow
        first_of_2026 = org.appeal()
    assert last_of_2025.number == "2025-000001"
    assert first_of_2026.number == "2026-000001"


def test_a_new_appeal_is_new_and_due_after_the_queue_term(org):
    """With no deadline policy matching, the queue's term in calendar days applies,
    counted the Civil Code way: from the next day, to the end of the last one."""
    org.claims.answer_term_days = 15
    org.claims.save()
    with time_machine.travel("2026-03-02 07:00:00+00:00", tick=False):  # Monday 10:00 in Moscow
        appeal = org.appeal()
    assert appeal.status == Status.NEW
    # 15 days from Tuesday 3 March: Tuesday 17 March, the end of the day in Moscow.
    assert appeal.due_at == datetime(2026, 3, 17, 20, 59, 59, 999999, tzinfo=UTC)
    assert appeal.registered_at >= appeal.created_at
    assert appeal.created_by == org.anna


def test_registration_is_an_event_and_is_searchable(org):
    appeal = org.appeal(subject="Двойное списание по карте")
    events = list(appeal.events.values_list("kind", "actor_id"))
    assert events == [(EventKind.REGISTERED, org.anna.pk)]
    assert "списан" in AppealSearch.objects.get(appeal=appeal).document


def test_a_paper_letter_keeps_the_date_it_arrived(org):
    arrived = timezone.now() - timedelta(days=3)
    appeal = org.appeal(channel=Channel.PAPER, created_at=arrived)
    assert appeal.created_at == arrived
    due = get_calendar().add(arrived, org.claims.answer_term_days, TermUnit.CALENDAR_DAYS)
    assert appeal.due_at == due


def test_channel_content_becomes_the_first_inbound_message(org):
    appeal = register_appeal(
        SystemActor("mail"),
        subject="Не работает кондиционер",
        channel=Channel.MAIL,
        kind=org.complaint,
        client=org.ivan,
        content=InboundContent(
            body_html="<p>Здравствуйте!<script>alert(1)</script></p><img src='http://tracker.example/p.gif'>",
            external_id="<abc@example.ru>",
            files=[IncomingFile("фото.png", PNG)],
        ),
    )
    message = appeal.messages.get()
    assert message.direction == Direction.INBOUND
    assert message.author is None and message.author_client == org.ivan
    assert "script" not in message.body_html and "tracker" not in message.body_html
    assert message.body_text == "Здравствуйте!"
    assert message.attachments.get().filename == "фото.png"
    registered = appeal.events.get(kind=EventKind.REGISTERED)
    assert registered.actor is None and registered.actor_label == "mail"


def test_files_of_a_registered_letter_are_kept_on_the_appeal(org):
    appeal = org.appeal(channel=Channel.PAPER, files=[IncomingFile("скан письма.png", PNG)])
    attachment = appeal.attachments.get()
    assert attachment.message is None
    assert attachment.content_type == "image/png"
    assert attachment.size == len(PNG)


def test_tags_are_created_once_and_deduplicated(org):
    appeal = org.appeal(tags=["ВИП", " ВИП ", "суд"])
    assert sorted(appeal.tags.values_list("name", flat=True)) == ["ВИП", "суд"]


def test_an_assignee_given_at_registration_is_an_event(org):
    appeal = org.appeal(assignee=org.anna)
    assert appeal.events.filter(kind=EventKind.ASSIGNED).count() == 1


def test_compliance_officer_cannot_register(org):
    with pytest.raises(PermissionDenied):
        org.appeal(actor=org.kira)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"subject": "   "}, "subject"),
        ({"channel": "pigeon"}, "channel"),
        ({"priority": "urgent"}, "priority"),
        ({"created_at": timezone.now() + timedelta(days=1)}, "created_at"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(org, fields, field):
    with pytest.raises(InvalidInput) as error:
        org.appeal(**fields)
    assert error.value.field == field
    assert not Appeal.objects.exists()


def test_an_inactive_kind_cannot_be_used(org):
    org.request.is_active = False
    org.request.save()
    with pytest.raises(InvalidInput):
        org.appeal(kind=org.request)


def test_a_rejected_file_registers_nothing(org):
    with pytest.raises(InvalidInput, match="not accepted"):
        org.appeal(files=[IncomingFile("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 200)])
    assert not Appeal.objects.exists()


def test_an_agent_may_assign_only_within_the_queue(org):
    with pytest.raises(InvalidInput) as error:
        org.appeal(assignee=org.boris)  # Boris is in support, the appeal goes to claims
    assert error.value.field == "assignee"


def test_priority_rank_follows_priority(org):
    assert org.appeal(priority=Priority.CRITICAL).priority_rank > org.appeal(priority=Priority.LOW).priority_rank
