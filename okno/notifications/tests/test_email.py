"""Notification e-mails through a real SMTP server: one digest per person, in their
language, with links to the appeals; and nothing lost when the server is down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from okno.notifications import mailer, services
from okno.notifications.choices import EmailState, NotificationKind
from okno.notifications.models import Notification
from okno.notifications.tests.conftest import SmtpServer, free_port, smtp_mailers
from okno.testing import Org

BREACH = NotificationKind.BREACH
REMINDER = NotificationKind.REMINDER


def with_email(org: Org) -> Org:
    for user, address, language in (
        (org.anna, "anna@bank.test", "ru"),
        (org.boris, "boris@bank.test", "en"),
        (org.sergey, "sergey@bank.test", ""),
    ):
        user.email, user.language = address, language
        user.save()
    return org


def states() -> dict[int, str]:
    return dict(Notification.objects.values_list("pk", "email_state"))


def test_a_missed_deadline_reaches_a_russian_users_mailbox(smtp_settings: SmtpServer, org: Org) -> None:
    with_email(org)
    appeal = org.appeal()
    services.notify(
        BREACH, [org.anna.pk], appeal_id=appeal.pk, params={"clock": "answer", "due_at": "2026-03-02T18:00:00+03:00"}
    )

    counts = services.send_pending_emails()

    assert counts == {"claimed": 1, "emails": 1, "sent": 1, "skipped": 0, "retrying": 0, "failed": 0}
    (received,) = smtp_settings.received
    assert received.rcpt_tos == ["anna@bank.test"]
    assert received.message["To"] == "anna@bank.test"
    assert received.message["Auto-Submitted"] == "auto-generated"
    assert received.subject == f"Срок нарушен: обращение {appeal.number}"
    body = received.body
    assert "Здравствуйте, Анна!" in body
    assert "Срок для ответа нарушен: он истёк 02.03.2026 18:00." in body
    assert f"https://okno.bank.test/appeals/{appeal.number}/" in body
    assert appeal.subject not in body  # the client's words stay in Okno
    row = Notification.objects.get()
    assert row.email_state == EmailState.SENT and row.emailed_at is not None


def test_english_and_default_language_and_one_digest_per_person(smtp_settings: SmtpServer, org: Org) -> None:
    with_email(org)
    first, second = org.appeal(), org.appeal()
    services.notify(BREACH, [org.boris.pk, org.sergey.pk], appeal_id=first.pk, params={"clock": "answer"})
    services.notify(BREACH, [org.boris.pk], appeal_id=second.pk, params={"clock": "answer"})

    counts = services.send_pending_emails()

    assert counts["emails"] == 2 and counts["sent"] == 3
    by_rcpt = {r.rcpt_tos[0]: r for r in smtp_settings.received}
    boris = by_rcpt["boris@bank.test"]
    assert boris.subject == "2 new notifications in Okno"
    assert "Hello, Борис!" in boris.body
    assert f"/appeals/{first.number}/" in boris.body and f"/appeals/{second.number}/" in boris.body
    assert "The deadline for the answer was missed." in boris.body
    assert "https://okno.bank.test/notifications/settings/" in boris.body
    # Sergey chose no language: the installation's (Russian).
    assert by_rcpt["sergey@bank.test"].subject == f"Срок нарушен: обращение {first.number}"
    assert services.send_pending_emails()["claimed"] == 0  # nothing twice


def test_who_gets_no_e_mail_is_skipped_not_retried(smtp_settings: SmtpServer, org: Org) -> None:
    with_email(org)
    org.dina.email = ""
    org.dina.save()
    services.notify(BREACH, [org.anna.pk, org.boris.pk, org.dina.pk])
    # Boris switches e-mail off after the notification was made: decided at sending.
    services.set_preference(org.boris, BREACH, in_app=True, by_email=False)

    counts = services.send_pending_emails()

    assert (counts["sent"], counts["skipped"]) == (1, 2)
    assert [r.rcpt_tos for r in smtp_settings.received] == [["anna@bank.test"]]
    assert sorted(states().values()) == [EmailState.SENT, EmailState.SKIPPED, EmailState.SKIPPED]


def test_smtp_down_keeps_every_row_and_sends_when_it_is_back(settings, smtp_server: SmtpServer, org: Org) -> None:
    with_email(org)
    settings.MAILERS = smtp_mailers(free_port())  # nothing listens there
    services.notify(BREACH, [org.anna.pk, org.boris.pk])

    counts = services.send_pending_emails()

    assert (counts["sent"], counts["retrying"], counts["failed"]) == (0, 2, 0)
    rows = list(Notification.objects.all())
    assert {r.email_state for r in rows} == {EmailState.PENDING}
    assert {r.email_attempts for r in rows} == {1}
    assert all(r.email_retry_at and r.email_retry_at > timezone.now() for r in rows)
    assert services.send_pending_emails()["claimed"] == 0  # waits for its pause

    # The server is back and the pause is over.
    settings.MAILERS = smtp_mailers(smtp_server.port)
    Notification.objects.update(email_retry_at=timezone.now() - timedelta(seconds=1))
    assert services.send_pending_emails()["sent"] == 2
    assert len(smtp_server.received) == 2
    assert set(states().values()) == {EmailState.SENT}


def test_after_the_last_attempt_a_row_is_failed_not_lost(settings, org: Org) -> None:
    with_email(org)
    settings.MAILERS = smtp_mailers(free_port())
    services.notify(BREACH, [org.anna.pk])
    Notification.objects.update(email_attempts=mailer.MAX_ATTEMPTS - 1)

    counts = services.send_pending_emails()

    assert counts["failed"] == 1
    row = Notification.objects.get()
    assert row.email_state == EmailState.FAILED and row.email_attempts == mailer.MAX_ATTEMPTS
    assert row.read_at is None  # still on the bell


def test_a_row_a_dead_worker_left_sending_is_taken_back(smtp_settings: SmtpServer, org: Org) -> None:
    with_email(org)
    services.notify(BREACH, [org.anna.pk])
    long_ago = timezone.now() - mailer.SENDING_TIMEOUT - timedelta(minutes=1)
    Notification.objects.update(email_state=EmailState.SENDING, emailed_at=long_ago)

    assert services.send_pending_emails()["sent"] == 1
    row = Notification.objects.get()
    assert row.email_state == EmailState.SENT and row.email_attempts == 1


def test_a_row_being_sent_by_another_worker_is_left_alone(smtp_settings: SmtpServer, org: Org) -> None:
    with_email(org)
    services.notify(BREACH, [org.anna.pk])
    Notification.objects.update(email_state=EmailState.SENDING, emailed_at=timezone.now())
    assert services.send_pending_emails()["claimed"] == 0
    assert smtp_settings.received == []


def test_without_an_smtp_host_e_mail_is_off(settings, org: Org) -> None:
    with_email(org)
    settings.MAILERS = smtp_mailers(25, host="")
    services.notify(BREACH, [org.anna.pk])
    assert services.send_pending_emails()["skipped"] == 1
    assert Notification.objects.get().email_state == EmailState.SKIPPED


def test_the_oldest_go_first_and_the_limit_holds(org: Org) -> None:
    with_email(org)
    for _ in range(3):
        services.notify(BREACH, [org.anna.pk])
    oldest = list(Notification.objects.order_by("created_at", "id").values_list("pk", flat=True))
    assert services.send_pending_emails(limit=2)["sent"] == 2
    assert states()[oldest[2]] == EmailState.PENDING
    assert {states()[pk] for pk in oldest[:2]} == {EmailState.SENT}
    assert len(mail.outbox) == 1  # one digest


def test_the_periodic_task_sends_them(org: Org, django_capture_on_commit_callbacks) -> None:
    from okno.background.schedule import periodic_jobs
    from okno.notifications.tasks import send_notification_emails

    assert any(job.task.module_path == send_notification_emails.module_path for job in periodic_jobs())
    with_email(org)
    services.notify(BREACH, [org.anna.pk])
    with django_capture_on_commit_callbacks(execute=True):
        result = send_notification_emails.enqueue()
    result.refresh()
    assert result.return_value["sent"] == 1
    assert [m.to for m in mail.outbox] == [["anna@bank.test"]]


@pytest.mark.django_db(transaction=True)
def test_two_mailers_at_once_send_each_notification_once(smtp_settings: SmtpServer) -> None:
    import threading

    from django.db import connection as default_connection

    from okno.testing import build_org, make_user

    org = build_org()
    people = [make_user(f"person{i}", org.anna.role, email=f"person{i}@bank.test") for i in range(12)]
    services.notify(BREACH, [p.pk for p in people])
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(services.send_pending_emails(limit=7))
        finally:
            default_connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sum(r["sent"] for r in results) == 12
    assert sorted(r.rcpt_tos[0] for r in smtp_settings.received) == sorted(p.email for p in people)
    assert set(states().values()) == {EmailState.SENT}
