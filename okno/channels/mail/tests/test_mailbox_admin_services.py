"""Administering mailboxes and acknowledgement templates through the services:
validation with messages naming the field, passwords stored encrypted and never
lost by an edit, administrators only, and acknowledgements rendered in the
client's language."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from okno.channels.mail import queries
from okno.channels.mail.choices import InboundOutcome, InboundState
from okno.channels.mail.models import AcknowledgementTemplate, InboundMail, Mailbox
from okno.channels.mail.services import mailboxes as services
from okno.channels.mail.transport.common import Security as Mode
from okno.core import secrets
from okno.core.errors import Conflict, InvalidInput, NotFound

IMAP_SECRET = "imap-Пароль-42"
SMTP_SECRET = "smtp-secret-17"


def fields(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Претензии",
        "address": "claims@bank.test",
        "imap_host": "imap.bank.test",
        "imap_security": "ssl",
        "imap_username": "claims",
        "imap_password": IMAP_SECRET,
        "smtp_host": "smtp.bank.test",
        "smtp_security": "starttls",
        "smtp_username": "claims",
        "smtp_password": SMTP_SECRET,
    }
    values.update(overrides)
    return values


def stored_row(mailbox: Mailbox) -> tuple[str, ...]:
    """Every column of the mailbox's row as the database holds it, as text."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Mailbox._meta.db_table} WHERE id = %s", [mailbox.pk])
        return tuple(str(v) for v in cursor.fetchone())


def refused(call: Any, field: str | None = None) -> str:
    with pytest.raises(InvalidInput) as caught:
        call()
    if field is not None:
        assert caught.value.field == field, caught.value.message
    return caught.value.message


# --- creating and changing -------------------------------------------------------------------


def test_an_administrator_adds_a_mailbox_and_the_database_holds_no_password(org):
    mailbox = services.create_mailbox(org.adam, **fields(queue=org.claims.pk, kind=org.complaint, priority="high"))

    assert mailbox.imap_port == 993 and mailbox.smtp_port == 587  # the usual ports of the chosen security
    assert mailbox.queue == org.claims and mailbox.kind == org.complaint and mailbox.priority == "high"
    row = " ".join(stored_row(mailbox))
    assert IMAP_SECRET not in row and SMTP_SECRET not in row
    assert secrets.decrypt(Mailbox.objects.get().imap_password) == IMAP_SECRET

    imap = services.imap_settings(mailbox)
    assert (imap.host, imap.port, imap.security, imap.username, imap.password) == (
        "imap.bank.test",
        993,
        Mode.SSL,
        "claims",
        IMAP_SECRET,
    )
    assert IMAP_SECRET not in repr(imap)
    smtp = services.smtp_settings(mailbox)
    assert smtp is not None and (smtp.security, smtp.password) == (Mode.STARTTLS, SMTP_SECRET)


def test_an_empty_password_in_a_change_keeps_the_stored_one_and_a_new_one_replaces_it(org):
    mailbox = services.create_mailbox(org.adam, **fields())
    stored = Mailbox.objects.get().imap_password

    services.update_mailbox(org.adam, mailbox, {"imap_password": "", "smtp_password": "", "name": "Жалобы"})
    kept = Mailbox.objects.get()
    assert kept.name == "Жалобы" and kept.imap_password == stored
    assert services.smtp_settings(kept).password == SMTP_SECRET  # type: ignore[union-attr]

    services.update_mailbox(org.adam, mailbox.pk, {"imap_password": "новый"})
    assert services.imap_settings(Mailbox.objects.get()).password == "новый"


def test_a_mailbox_without_smtp_sends_nothing_and_dropping_the_smtp_login_drops_its_password(org):
    mailbox = services.create_mailbox(org.adam, **fields(smtp_host="", smtp_username="", smtp_password=""))
    assert services.smtp_settings(mailbox) is None

    services.update_mailbox(org.adam, mailbox, {"smtp_host": "relay.bank.test", "smtp_security": "ssl"})
    relay = services.smtp_settings(Mailbox.objects.get())
    assert relay is not None and (relay.port, relay.username, relay.password) == (465, "", "")

    with_login = services.update_mailbox(org.adam, mailbox, {"smtp_username": "u", "smtp_password": "p"})
    assert with_login.smtp_password
    services.update_mailbox(org.adam, mailbox, {"smtp_username": ""})
    assert Mailbox.objects.get().smtp_password == ""


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"imap_security": "plain"}, "imap_security", "only to this machine"),
        ({"smtp_security": "plain"}, "smtp_security", "only to this machine"),
        ({"processed_action": "move"}, "processed_folder", "folder"),
        ({"processed_action": "move", "processed_folder": "INBOX"}, "processed_folder", "another folder"),
        ({"imap_port": 0}, "imap_port", "1 to 65535"),
        ({"smtp_port": 65536}, "smtp_port", "1 to 65535"),
        ({"imap_port": "143a"}, "imap_port", "1 to 65535"),
        ({"address": "not an address"}, "address", "not an e-mail address"),
        ({"address": "a@b.test\r\nBcc: x@y.test"}, "address", "not an e-mail address"),
        ({"imap_host": "imap.bank.test/INBOX"}, "imap_host", "not a host name"),
        ({"imap_host": ""}, "imap_host", "host name"),
        ({"imap_username": ""}, "imap_username", "login"),
        ({"imap_password": ""}, "imap_password", "password"),
        ({"imap_folder": ""}, "imap_folder", "INBOX"),
        ({"smtp_password": ""}, "smtp_password", "password of the SMTP login"),
        ({"smtp_host": ""}, "smtp_host", "SMTP server"),
        ({"name": "  "}, "name", "name"),
        ({"queue": 999_999}, "queue", "999999"),
        ({"imap_security": "tls13"}, "imap_security", "ssl, starttls, plain"),
        ({"priority": "asap"}, "priority", "asap"),
        ({"reopen_days": -1}, "reopen_days", "0 to 3650"),
        ({"sender_limit_per_hour": 0}, "sender_limit_per_hour", "1 to 100000"),
        ({"bogus": 1}, None, "bogus"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(org, changes, field, words):
    message = refused(lambda: services.create_mailbox(org.adam, **fields(**changes)), field)
    assert words in message
    assert not Mailbox.objects.exists()


def test_plain_imap_and_smtp_are_allowed_to_this_machine(org):
    mailbox = services.create_mailbox(
        org.adam,
        **fields(imap_host="127.0.0.1", imap_security="plain", smtp_host="localhost", smtp_security="plain"),
    )
    assert (mailbox.imap_port, mailbox.smtp_port) == (143, 25)


def test_references_must_be_active_and_names_and_addresses_unique(org):
    org.request.is_active = False
    org.request.save()
    assert "id" in refused(lambda: services.create_mailbox(org.adam, **fields(kind=org.request.pk)), "kind")

    services.create_mailbox(org.adam, **fields())
    refused(lambda: services.create_mailbox(org.adam, **fields(address="other@bank.test")), "name")
    refused(lambda: services.create_mailbox(org.adam, **fields(name="Другой", address="CLAIMS@bank.test")), "address")


def test_pointing_a_mailbox_at_another_folder_forgets_where_reading_had_got_to(org):
    mailbox = services.create_mailbox(org.adam, **fields())
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=7, last_uid=120)

    services.update_mailbox(org.adam, mailbox, {"imap_port": 1993, "from_name": "Банк"})
    assert (Mailbox.objects.get().uidvalidity, Mailbox.objects.get().last_uid) == (7, 120)

    services.update_mailbox(org.adam, mailbox, {"imap_folder": "Claims"})
    assert (Mailbox.objects.get().uidvalidity, Mailbox.objects.get().last_uid) == (None, 0)


def test_only_administrators_configure_mailboxes(org):
    mailbox = services.create_mailbox(org.adam, **fields())
    for user in (org.anna, org.sergey, org.kira):
        with pytest.raises(PermissionDenied):
            services.create_mailbox(user, **fields(name="x", address="x@bank.test"))
        with pytest.raises(PermissionDenied):
            services.update_mailbox(user, mailbox, {"name": "y"})
        with pytest.raises(PermissionDenied):
            services.deactivate_mailbox(user, mailbox)
        with pytest.raises(PermissionDenied):
            services.delete_mailbox(user, mailbox)
        with pytest.raises(PermissionDenied):
            services.test_connection(user, mailbox)
        with pytest.raises(PermissionDenied):
            services.create_template(user, services.DEFAULT_TEMPLATE)
    assert Mailbox.objects.get().name == "Претензии"


def test_a_mailbox_that_received_mail_is_switched_off_not_deleted(org):
    used = services.create_mailbox(org.adam, **fields())
    unused = services.create_mailbox(org.adam, **fields(name="Пустой", address="empty@bank.test"))
    InboundMail.objects.create(mailbox=used, message_key="k1", raw=b"Subject: x\r\n\r\nx", size=13)

    with pytest.raises(Conflict):
        services.delete_mailbox(org.adam, used)
    assert not services.deactivate_mailbox(org.adam, used).is_active
    assert services.activate_mailbox(org.adam, used).is_active

    services.delete_mailbox(org.adam, unused)
    assert list(Mailbox.objects.values_list("name", flat=True)) == ["Претензии"]
    with pytest.raises(NotFound):
        services.delete_mailbox(org.adam, unused.pk)


def test_a_password_this_installation_cannot_decrypt_is_a_clear_error(org, settings):
    mailbox = services.create_mailbox(org.adam, **fields())
    settings.SECRET_KEY = "another-installation-" + "x" * 40
    with pytest.raises(services.MailboxSecretUnreadable) as caught:
        services.imap_settings(Mailbox.objects.get())
    assert caught.value.field == "imap_password"
    assert "cannot be decrypted" in caught.value.message and "Enter the password again" in caught.value.message

    # The connection test says so instead of failing.
    result = services.test_connection(org.adam, Mailbox.objects.get())
    assert not result.ok and result.imap.error is not None
    assert "cannot be decrypted" in result.imap.error.message
    # Entering it again fixes it.
    services.update_mailbox(org.adam, mailbox, {"imap_password": IMAP_SECRET, "smtp_password": SMTP_SECRET})
    assert services.imap_settings(Mailbox.objects.get()).password == IMAP_SECRET
    del mailbox


# --- counts -----------------------------------------------------------------------------------------


def test_counts_by_outcome_all_time_and_in_the_last_day(org):
    mailbox = services.create_mailbox(org.adam, **fields())
    now = timezone.now()
    outcomes = [
        (InboundOutcome.APPEAL, 3),
        (InboundOutcome.THREADED, 2),
        (InboundOutcome.QUARANTINED, 1),
        (InboundOutcome.BOUNCE, 1),
        (InboundOutcome.AUTO_REPLY, 1),
        (InboundOutcome.OWN, 1),
        ("", 1),
    ]
    n = 0
    for outcome, count in outcomes:
        for _ in range(count):
            n += 1
            InboundMail.objects.create(
                mailbox=mailbox,
                message_key=f"key-{n}",
                raw=b"x",
                outcome=outcome,
                state=InboundState.QUARANTINED if outcome == InboundOutcome.QUARANTINED else InboundState.DONE,
                # the first two are old
                received_at=now - timedelta(days=3) if n <= 2 else now,
            )
    total = queries.counts([mailbox.pk])[mailbox.pk]
    assert total.as_dict() == {
        "received": 10,
        "registered": 3,
        "threaded": 2,
        "quarantined": 1,
        "bounced": 1,
        "auto_replies": 1,
        "own": 1,
        "pending": 1,
    }
    day = queries.last_day([mailbox.pk])[mailbox.pk]
    assert (day.received, day.registered) == (8, 1)
    status = queries.mailbox_status(mailbox)
    assert status["counts"].received == 10 and status["last_24h"].received == 8


# --- acknowledgement templates ---------------------------------------------------------------------


def test_the_shipped_template_is_added_once_and_reads_well_in_both_languages(db):
    assert services.load_default_template() == 1
    assert services.load_default_template() == 0
    template = AcknowledgementTemplate.objects.get()
    context = {
        "number": "2026-000123",
        "subject": "Списали комиссию",
        "due_date": date(2026, 3, 16),
        "client_name": "Иван Петров",
        "mailbox_name": "Служба поддержки",
        "organisation": "",
    }
    subject, body = services.render_acknowledgement(template, "ru", context)
    assert subject == "Ваше обращение зарегистрировано [#2026-000123]"
    assert "Здравствуйте, Иван Петров!" in body
    assert "обращение № 2026-000123 «Списали комиссию»" in body
    assert "не позднее 16 марта 2026 года." in body
    assert "ответьте на это письмо и сохраните номер [#2026-000123] в теме" in body
    assert body.rstrip().endswith("С уважением,\nСлужба поддержки")

    subject, body = services.render_acknowledgement(template, "en-gb", {**context, "organisation": "Bank Ltd"})
    assert subject == "Your appeal is registered [#2026-000123]"
    assert "We will answer by March 16, 2026." in body
    assert "keep the number [#2026-000123] in the subject" in body
    assert body.rstrip().endswith("Kind regards,\nBank Ltd")

    # Without a due date or a client name the sentences about them go, with no gaps left.
    _subject, body = services.render_acknowledgement(template, "ru", {**context, "due_date": None, "client_name": ""})
    assert "Здравствуйте!" in body and "позднее" not in body and "\n\n\n" not in body


def test_a_template_with_a_syntax_error_or_an_unknown_variable_is_refused_with_the_reason(org):
    good = {k: v for k, v in services.DEFAULT_TEMPLATE.items()}
    message = refused(
        lambda: services.create_template(org.adam, {**good, "body_ru": "{% if number %}без конца"}), "body_ru"
    )
    assert "Template error" in message and "endif" in message
    message = refused(
        lambda: services.create_template(org.adam, {**good, "subject_en": "Appeal {{ numbr }}"}), "subject_en"
    )
    assert "numbr" in message and "number, subject, due_date" in message
    refused(lambda: services.create_template(org.adam, {**good, "body_en": "{% include 'base.html' %}"}), "body_en")
    refused(lambda: services.create_template(org.adam, {**good, "body_en": "{% load static %}"}), "body_en")
    refused(lambda: services.create_template(org.adam, {**good, "subject_ru": "две\nстроки"}), "subject_ru")
    refused(lambda: services.create_template(org.adam, {**good, "name": ""}), "name")
    assert not AcknowledgementTemplate.objects.exists()

    template = services.create_template(org.adam, good)
    changed = services.update_template(org.adam, template, {"subject_ru": "Обращение {{ number }} принято"})
    assert changed.subject_ru == "Обращение {{ number }} принято" and changed.body_ru == good["body_ru"]
    assert (
        services.render_acknowledgement(changed, "ru", {"number": "2026-000001"})[0] == "Обращение 2026-000001 принято"
    )


def test_text_is_not_html_escaped(org):
    template = services.create_template(
        org.adam, {**services.DEFAULT_TEMPLATE, "subject_en": "{{ subject }}", "body_en": "{{ client_name }}"}
    )
    subject, body = services.render_acknowledgement(
        template, "en", {"subject": "<b>Fees & charges</b>", "client_name": "O'Brien & Co"}
    )
    assert subject == "<b>Fees & charges</b>" and body == "O'Brien & Co\n"


def test_a_template_a_mailbox_uses_cannot_be_deleted(org):
    template = services.create_template(org.adam, services.DEFAULT_TEMPLATE)
    mailbox = services.create_mailbox(org.adam, **fields(acknowledgement_template=template.pk))
    with pytest.raises(Conflict) as caught:
        services.delete_template(org.adam, template)
    assert "Претензии" in caught.value.message
    services.update_mailbox(org.adam, mailbox, {"acknowledgement_template": None})
    services.delete_template(org.adam, template)
    assert not AcknowledgementTemplate.objects.exists()
