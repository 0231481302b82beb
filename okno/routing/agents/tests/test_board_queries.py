"""The board reads a fixed number of grouped queries: three queues or ten (each with
its agents, appeals, mailbox and mail) cost the same, for the service and for the
page a refresh renders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from okno.appeals import access
from okno.appeals.choices import Channel
from okno.channels.mail.models import Mailbox
from okno.channels.mail.services import intake, store
from okno.channels.mail.services.store import RawMail
from okno.channels.mail.tests.conftest import build_mail
from okno.queues.models import Membership, Queue
from okno.routing.agents.choices import AgentStatus
from okno.routing.agents.services.board import board
from okno.routing.agents.tests.helpers import agent, arrive
from okno.testing import Org

pytestmark = pytest.mark.django_db

# Generous enough for the database's own variations, far below one query per row.
MAX_QUERIES = 20


def queues(org: Org, numbers: range) -> None:
    """More queues (numbered ``numbers``), each with two agents (one on duty with limits and a skill, one
    asking for help), open appeals (one assigned), a mailbox whose letter became a third; the
    supervisor Sergey belongs to all of them."""
    for i in numbers:
        queue = Queue.objects.create(code=f"q{i}", name=f"Очередь {i}", name_en=f"Queue {i}")
        Membership.objects.create(queue=queue, user=org.sergey)
        on_duty = agent(
            org,
            f"agent{i}",
            queue,
            max_open=3,
            channel_limits={"mail": 2},
            languages=["ru"],
            products=[org.debit_card.pk],
        )
        agent(org, f"helpme{i}", queue, status=AgentStatus.CONSULTATION)
        arrive(org, queue, assignee=on_duty, channel=Channel.MAIL)
        arrive(org, queue)
        mailbox = Mailbox.objects.create(
            name=f"Ящик {i}", address=f"box{i}@bank.test", imap_host="127.0.0.1", imap_username=f"box{i}", queue=queue
        )
        mailbox.acknowledge = False
        mailbox.save()
        store.store(mailbox, [RawMail(build_mail(to=mailbox.address, subject=f"Письмо {i}"), uid=1)], uidvalidity=1)
    intake.process_pending()


def count(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def fragment(client: Client) -> None:
    response = client.get(reverse("agents:board"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200


def wall(client: Client) -> None:
    assert client.get(reverse("agents:wall"), HTTP_HX_REQUEST="true").status_code == 200


def test_three_queues_or_ten_cost_the_same_queries(org: Org, django_assert_max_num_queries: Any) -> None:
    client = Client()
    client.force_login(org.sergey)

    queues(org, range(3))
    three = board(org.sergey)
    assert len(three.queues) == 4 and len(three.mailboxes) == 3 and len(three.consultations) == 3
    assert all(q.open == 3 and q.arrived_today == 3 for q in three.queues if q.queue.code.startswith("q"))
    assert all(m.arrived_today == 1 and m.waiting_for_answer == 1 for m in three.mailboxes)
    with django_assert_max_num_queries(MAX_QUERIES):
        board(org.sergey)
    service_three, page_three, wall_three = (
        count(lambda: board(org.sergey)),
        count(lambda: fragment(client)),
        count(lambda: wall(client)),
    )

    queues(org, range(3, 10))
    access.forget_cached_access(org.sergey)  # he belongs to seven more queues now
    ten = board(org.sergey)
    assert len(ten.queues) == 11 and len(ten.mailboxes) == 10 and len(ten.consultations) == 10
    with django_assert_max_num_queries(MAX_QUERIES):
        board(org.sergey)
    assert count(lambda: board(org.sergey)) == service_three
    assert count(lambda: fragment(client)) == page_three
    assert count(lambda: wall(client)) == wall_three
