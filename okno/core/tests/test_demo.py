"""``manage.py demo``: a small run shows every state, role and channel, built
through the services (every appeal has its events), with working demo logins."""

from __future__ import annotations

import io
import string
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.appeals.choices import ApprovalStatus, Channel, Outcome, Priority, Status
from okno.appeals.models import Appeal, AppealLink, AppealSearch, Event, Message
from okno.clients.models import Client
from okno.core.demo import builder as demo
from okno.core.demo.builder import ORGS, DemoBuilder, Spec
from okno.core.management.commands.serve import DEMO_LOGINS


@pytest.fixture
def demo_data(db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    out = io.StringIO()
    call_command("demo", appeals=40, seed=3, stdout=out, stderr=out)
    return out.getvalue()


def test_every_status_outcome_channel_and_priority_appears(demo_data):
    appeals = Appeal.objects.all()
    assert set(appeals.values_list("status", flat=True)) == set(Status.values)
    assert set(appeals.values_list("outcome", flat=True)) - {""} == set(Outcome.values)
    assert set(appeals.values_list("channel", flat=True)) == set(Channel.values)
    assert set(appeals.values_list("priority", flat=True)) == set(Priority.values)
    assert appeals.filter(reopen_count__gt=0).exists()
    assert appeals.filter(parent__isnull=False).exists()
    assert appeals.filter(queue__isnull=True, status=Status.NEW).exists()  # for the dispatcher
    assert any(a.is_overdue for a in appeals)
    assert AppealLink.objects.exists()
    assert appeals.filter(tags__isnull=False).exists()


def test_replies_wait_for_approval_and_one_was_returned(demo_data):
    pending = Message.objects.filter(approval_status=ApprovalStatus.PENDING)
    assert pending.exists()
    assert all(m.appeal.queue.requires_reply_approval for m in pending)
    assert Message.objects.filter(approval_status=ApprovalStatus.RETURNED).exists()
    assert Message.objects.filter(approval_status=ApprovalStatus.APPROVED).exists()


def test_appeals_have_history_in_the_past_and_are_searchable(demo_data):
    now = timezone.now()
    for appeal in Appeal.objects.all():
        events = list(appeal.events.all())
        assert events, appeal.number
        assert events[0].kind == "registered"
        assert all(e.created_at <= now for e in events)
    assert Appeal.objects.order_by("created_at").first().created_at < now - timedelta(days=60)
    assert AppealSearch.objects.count() == Appeal.objects.count()
    # Numbers follow registration order.
    seqs = list(Appeal.objects.order_by("registered_at", "id").values_list("seq", flat=True))
    assert seqs == sorted(seqs)
    assert Event.objects.filter(kind="merged_into").exists()


def test_every_role_can_log_in_with_demo_password(demo_data):
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    for username, _label in DEMO_LOGINS:
        user = User.objects.get(username=username)
        assert user.is_active and user.check_password("demo"), username
    assert User.objects.get(username="admin").role == Role.ADMIN
    assert User.objects.filter(patronymic="").count() == 0
    agent = User.objects.get(username="agent")
    assert agent.memberships.count() == 2
    assert Appeal.objects.filter(assignee=agent).exists()


def test_clients_include_nested_organisations_with_tax_ids(demo_data):
    assert Client.objects.count() >= 140
    shop_employee = Client.objects.filter(kind="person", parent__parent__isnull=False).first()
    assert shop_employee is not None  # dealer network → shop → employee
    assert Client.objects.filter(kind="organisation").exclude(tax_id="").exists()
    phones = Client.objects.filter(contacts__kind="phone").values_list("contacts__normalized", flat=True)
    assert all(p.startswith("+7") for p in phones)


def test_refuses_when_users_exist(demo_data):
    before = Appeal.objects.count()
    out = io.StringIO()
    call_command("demo", appeals=5, stdout=out)
    assert "--force" in out.getvalue()
    assert Appeal.objects.count() == before


def test_no_step_fails(db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    summary = demo.build_demo(appeals=30, seed=11, progress=False)
    assert summary.skipped == 0, summary.errors
    assert summary.appeals == 30


def test_every_text_template_fills_in():
    """Each story's texts use only the fields the builder makes up."""
    builder = DemoBuilder(appeals=1, seed=1, progress=False)
    builder.ascs = [("«Холод-Сервис» (Казань)", "Казань")]
    fields = set(builder._context(_fake_spec(builder)))
    fields |= {"client_full", "client_name", "inn", "city", "shop"}
    formatter = string.Formatter()
    for org in ORGS:
        for sc in org.scenarios:
            texts = [*sc.subjects, *sc.texts, *sc.summaries, *sc.ask, *sc.followups, *sc.notes]
            texts += [t for answers in sc.answers.values() for t in answers]
            if sc.subcase:
                texts += [sc.subcase.subject, sc.subcase.description, *sc.subcase.notes]
            for text in texts:
                used = {name for _, name, _, _ in formatter.parse(text) if name}
                assert used <= fields, (sc.code, used - fields)


def _fake_spec(builder: DemoBuilder) -> Spec:
    from unittest import mock

    client = mock.Mock(city="Казань", pool="person")
    return Spec(
        index=0,
        org=ORGS[1],
        scenario=ORGS[1].scenarios[0],
        variant=0,
        client=client,
        channel="mail",
        priority="normal",
        t0=builder.now,
        end="closed",
    )
