"""The board's figures on a small contact centre built through the services, at a
fixed "now": per queue what waits and for how long, what is at risk or overdue,
what is being handled and what arrived today; per mailbox the letters of today
and what waits for an answer; agents by status with those asking for help. Who
sees which part, and the same figures through the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from okno.appeals import services
from okno.appeals.choices import Status
from okno.appeals.models import Appeal
from okno.channels.mail.models import Mailbox
from okno.channels.mail.services import intake, store
from okno.channels.mail.services.store import RawMail
from okno.channels.mail.tests.conftest import build_mail
from okno.deadlines.calendar_import import install_default_calendar
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.services import limits, statuses
from okno.routing.agents.services.board import QueueRow, board, start_of_today
from okno.routing.agents.templatetags.agents import wait_clock
from okno.routing.agents.tests.helpers import agent
from okno.testing import Org
from okno.testing_api import ApiClient

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 10:00 in Moscow; "now" is Friday 20 March, 15:00.
MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@dataclass
class Centre:
    old: Appeal  # claims, unassigned since Monday 2 March: overdue
    risky: Appeal  # claims, unassigned since Sunday 15 March: due tonight, at risk now
    handled: Appeal  # claims, today, Anna works it
    waiting_client: Appeal  # claims, yesterday, Anna waits for the client
    mailbox: Mailbox  # support's


def at(when: datetime, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with time_machine.travel(when, tick=False):
        return fn(*args, **kwargs)


def deliver(mailbox: Mailbox, uid: int, when: datetime, **mail: str) -> Appeal | None:
    """A client's letter arrives in the mailbox at ``when`` and intake runs, as the listener does."""
    with time_machine.travel(when, tick=False):
        raw = build_mail(**mail)
        store.store(mailbox, [RawMail(raw, uid=uid)], uidvalidity=1)
        intake.process_pending()
        return store_row_appeal(raw)


def store_row_appeal(raw: bytes) -> Appeal | None:
    from okno.channels.mail.models import InboundMail

    return InboundMail.objects.get(message_key=store.identify(raw).key).appeal


def a_contact_centre(org: Org) -> Centre:
    install_default_calendar()
    org.claims.answer_term_days = 5
    org.claims.save()
    limits.update_agent(org.adam, org.anna, {"max_open": 3})
    statuses.set_status(org.anna, org.anna, AgentStatus.AVAILABLE)
    petr = agent(org, "petr", org.claims, status=AgentStatus.OFFLINE)
    at(NOW - timedelta(minutes=7), statuses.set_status, petr, petr, AgentStatus.CONSULTATION)
    agent(org, "olga", org.support, status=AgentStatus.BREAK)

    old = at(MONDAY, org.appeal)
    risky = at(datetime(2026, 3, 15, 7, 0, tzinfo=UTC), org.appeal)
    waiting_client = at(NOW - timedelta(days=1), org.appeal, org.anna, assignee=org.anna)
    at(NOW - timedelta(days=1), services.change_status, org.anna, waiting_client, Status.WAITING_CLIENT)
    handled = at(NOW - timedelta(hours=3), org.appeal, org.anna, assignee=org.anna)
    at(NOW - timedelta(hours=3), services.change_status, org.anna, handled, Status.IN_WORK)
    cancelled = at(NOW - timedelta(hours=2), org.appeal, org.anna)
    at(NOW - timedelta(hours=2), services.cancel, org.sergey, cancelled, reason="Ошибочная регистрация")

    mailbox = Mailbox.objects.create(
        name="Поддержка",
        address="support@bank.test",
        imap_host="127.0.0.1",
        imap_username="support",
        queue=org.support,
        acknowledge=False,
    )
    # Yesterday's letter was answered; today's two letters wait (one a reply on the same appeal).
    answered = deliver(mailbox, 1, NOW - timedelta(days=1), subject="Не прошёл платёж")
    assert answered is not None
    at(NOW - timedelta(hours=20), services.reply, org.boris, answered, body_text="Платёж прошёл.")
    first = deliver(mailbox, 2, NOW - timedelta(hours=1), subject="Карта заблокирована")
    assert first is not None
    again = deliver(
        mailbox,
        3,
        NOW - timedelta(minutes=30),
        subject=f"Re: [#{first.number}] Карта заблокирована",
        body="Напоминаю о своём обращении.",
    )
    assert again is not None and again.pk == first.pk

    # The scenario's deadlines stand where the test needs them.
    old.refresh_from_db()
    risky.refresh_from_db()
    assert old.due_at is not None and old.due_at < NOW
    assert risky.due_risk_at is not None and risky.due_at is not None and risky.due_risk_at <= NOW < risky.due_at
    return Centre(old=old, risky=risky, handled=handled, waiting_client=waiting_client, mailbox=mailbox)


def queue_row(rows: list[QueueRow], code: str) -> QueueRow:
    return next(r for r in rows if r.queue.code == code)


def test_a_supervisor_sees_their_queue_agents_and_mailboxes(org: Org) -> None:
    centre = a_contact_centre(org)
    seen = at(NOW, board, org.sergey)

    assert [q.queue.code for q in seen.queues] == ["claims"]
    claims = seen.queues[0]
    assert (claims.open, claims.unassigned, claims.assigned) == (4, 2, 2)
    assert claims.oldest_unassigned == centre.old.created_at == MONDAY
    assert (claims.at_risk, claims.overdue, claims.due_today) == (1, 1, 1)
    assert claims.by_status == {Status.NEW: 2, Status.IN_WORK: 1, Status.WAITING_CLIENT: 1}
    assert claims.arrived_today == 2  # the one in work and the one cancelled
    # Anna is the only one on duty: 3 at most, 2 open.
    assert (claims.agents_taking, claims.free_places) == (1, 1)
    assert claims.pressure == {"value": 1, "max": 1, "low": 0.5, "high": 0.99}

    assert {a.user.username for a in seen.agents} == {"anna", "sergey", "petr"}
    assert [(code, n) for code, _label, _colour, n in seen.status_tiles] == [
        ("available", 1),
        ("mail", 0),
        ("chats", 0),
        ("consultation", 1),
        ("break", 0),
        ("offline", 1),
    ]
    assert seen.answering == 1
    [asking] = seen.consultations
    assert asking.user.username == "petr" and asking.status_since == NOW - timedelta(minutes=7)
    assert seen.mailboxes == []  # the mailbox is support's

    totals = seen.totals
    assert (totals.unassigned, totals.at_risk, totals.overdue, totals.arrived_today) == (2, 1, 1, 2)
    assert totals.oldest_unassigned == MONDAY


def test_those_who_see_everything_get_every_queue_and_mailbox(org: Org) -> None:
    centre = a_contact_centre(org)
    for viewer in (org.adam, org.dina):
        seen = at(NOW, board, viewer)
        assert {q.queue.code for q in seen.queues} == {"claims", "support"}
        support = queue_row(seen.queues, "support")
        # Yesterday's answered letter is not open; today's appeal waits, unassigned.
        assert (support.open, support.unassigned, support.arrived_today) == (1, 1, 1)
        assert support.oldest_unassigned == NOW - timedelta(hours=1)
        assert (support.agents_taking, support.free_places) == (0, 0)  # Olga is on a break
        [box] = seen.mailboxes
        assert (box.id, box.queue_id) == (centre.mailbox.pk, org.support.pk)
        # Two letters today (a new appeal and a reply on it), one appeal waiting for an answer.
        assert (box.arrived_today, box.waiting_for_answer) == (2, 1)
        assert {a.user.username for a in seen.agents} >= {"anna", "petr", "olga", "boris", "spec"}
        assert seen.totals.unassigned == 3


def test_agents_and_compliance_officers_do_not_see_the_board(org: Org) -> None:
    for who in (org.anna, org.kira, org.spec):
        with pytest.raises(PermissionDenied):
            board(who)
        assert signed_in(who).get(reverse("agents:board")).status_code == 403
        assert signed_in(who).get(reverse("agents:wall")).status_code == 403
    assert ApiClient(org.anna).get("/routing/board").status_code == 403


def test_the_api_carries_the_new_figures(org: Org) -> None:
    centre = a_contact_centre(org)
    body = at(NOW, lambda: ApiClient(org.adam).get("/routing/board").json())
    claims = next(q for q in body["queues"] if q["queue"]["id"] == org.claims.pk)
    assert {k: claims[k] for k in ("open", "unassigned", "assigned", "at_risk", "overdue", "arrived_today")} == {
        "open": 4,
        "unassigned": 2,
        "assigned": 2,
        "at_risk": 1,
        "overdue": 1,
        "arrived_today": 2,
    }
    assert claims["by_status"] == {"new": 2, "in_work": 1, "waiting_client": 1}
    assert claims["oldest_unassigned_since"].startswith("2026-03-02T")
    assert (claims["agents_taking"], claims["free_places"]) == (1, 1)
    assert body["statuses"] == {"available": 1, "mail": 0, "chats": 0, "consultation": 1, "break": 1, "offline": 4}
    assert body["answering"] == 1
    assert [c["name"] for c in body["consultations"]] == ["Petr P."]
    assert body["mailboxes"] == [
        {
            "mailbox": {"id": centre.mailbox.pk, "name": "Поддержка", "address": "support@bank.test"},
            "queue": org.support.pk,
            "arrived_today": 2,
            "waiting_for_answer": 1,
        }
    ]
    assert (body["totals"]["unassigned"], body["totals"]["overdue"], body["totals"]["at_risk"]) == (3, 1, 1)


def test_the_pages_show_the_figures_and_highlight_what_needs_attention(org: Org) -> None:
    a_contact_centre(org)
    page = at(NOW, lambda: signed_in(org.sergey).get(reverse("agents:board")).content.decode())
    assert 'data-queue="claims"' in page and 'data-queue="support"' not in page
    assert '<span class="badge text-bg-warning">1</span>' in page  # at risk
    assert '<span class="badge text-bg-danger">1</span>' in page  # overdue
    assert 'data-agent="petr" data-status="consultation" class="table-danger"' in page
    assert 'id="board-consultations"' in page and 'data-consultation="petr"' in page
    assert "18 d 5 h" in page or "18 д 5 ч" in page  # the longest wait, since 2 March 10:00
    assert 'id="board-live" hidden hx-trigger="sse:appeals, sse:agents"' in page
    assert "agents/board.js" in page

    wall = at(NOW, lambda: signed_in(org.sergey).get(reverse("agents:wall")).content.decode())
    assert 'id="agents-wall"' in wall and 'data-bs-theme="dark"' in wall and "okno-wall-dark" in wall
    assert 'class="navbar' not in wall  # no navbar on the wall
    assert 'sse-connect="/live/stream"' in wall  # still live
    assert 'data-status-tile="consultation"' in wall and "text-bg-danger wall-alert" in wall
    assert "text-bg-warning wall-alert" in wall  # at risk highlighted
    light = signed_in(org.sergey).get(reverse("agents:wall") + "?theme=light").content.decode()
    assert 'data-bs-theme="dark"' not in light and "okno-wall-dark" not in light
    also = signed_in(org.sergey).get(reverse("agents:board") + "?wall=1").content.decode()
    assert 'id="agents-wall"' in also
    fragment = signed_in(org.sergey).get(reverse("agents:wall"), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="agents-wall"')


def test_today_starts_at_local_midnight_and_clocks_read_like_clocks() -> None:
    assert start_of_today(NOW).isoformat() == "2026-03-20T00:00:00+03:00"
    assert [wait_clock(s) for s in (0, 65, 3600 + 62, 86400 * 2 + 3600 * 3 + 5)] == [
        "0:00",
        "1:05",
        "1:01:02",
        "2 d 3 h",
    ]


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client
