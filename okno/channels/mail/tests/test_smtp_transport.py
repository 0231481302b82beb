"""Sending over SMTP, against a real SMTP server (aiosmtpd: ``okno.channels.mail.testing``)."""

from __future__ import annotations

import time

import pytest

from okno.channels.mail.testing import SmtpServer, free_port, make_mail
from okno.channels.mail.transport.common import Security
from okno.channels.mail.transport.smtp import (
    SendError,
    SmtpSession,
    SmtpSettings,
    check_smtp,
    validate_settings,
)

SENDER = "support@bank.test"


def send(settings: SmtpSettings, recipients: list[str], raw: bytes) -> None:
    with SmtpSession(settings) as session:
        session.send(SENDER, recipients, raw)


def test_sends_without_encryption_to_this_machine_with_a_login(smtp_server: SmtpServer) -> None:
    raw = make_mail(subject="Your appeal is registered")

    send(smtp_server.settings(), ["client@example.test"], raw)

    (received,) = smtp_server.received
    assert received.mail_from == SENDER
    assert received.rcpt_tos == ["client@example.test"]
    assert received.subject == "Your appeal is registered"
    assert received.authenticated_as == smtp_server.username


@pytest.mark.parametrize("security", [Security.STARTTLS, Security.SSL])
def test_sends_over_tls_with_a_login(smtp_tls_server: SmtpServer, security: Security) -> None:
    port = smtp_tls_server.port if security is Security.STARTTLS else smtp_tls_server.ssl_port

    send(smtp_tls_server.settings(security=security, port=port), ["client@example.test"], make_mail())

    (received,) = smtp_tls_server.received
    assert received.authenticated_as == smtp_tls_server.username


def test_one_connection_carries_many_messages(smtp_tls_server: SmtpServer) -> None:
    with SmtpSession(smtp_tls_server.settings()) as session:
        for n in range(3):
            session.send(SENDER, [f"client{n}@example.test"], make_mail(subject=f"Reply {n}"))

    received = smtp_tls_server.received
    assert [r.subject for r in received] == ["Reply 0", "Reply 1", "Reply 2"]
    assert len({r.peer for r in received}) == 1


def test_a_connection_the_server_dropped_between_messages_is_opened_again(smtp_server: SmtpServer) -> None:
    with SmtpSession(smtp_server.settings()) as session:
        session.send(SENDER, ["a@example.test"], make_mail())
        smtp_server.stop()
        smtp_server.start()  # the old connection is gone
        session.send(SENDER, ["b@example.test"], make_mail())

    assert [r.rcpt_tos for r in smtp_server.received] == [["a@example.test"], ["b@example.test"]]


def test_an_eight_bit_message_with_bare_newlines_goes_as_8bitmime_with_crlf(smtp_server: SmtpServer) -> None:
    raw = make_mail(subject="Ответ", body="Здравствуйте!\nВаше обращение рассмотрено.").replace(b"\r\n", b"\n")

    send(smtp_server.settings(), ["client@example.test"], raw)

    (received,) = smtp_server.received
    assert received.body.splitlines() == ["Здравствуйте!", "Ваше обращение рассмотрено."]
    assert b"\n" not in received.raw.replace(b"\r\n", b"")  # no bare LF reached the server


@pytest.mark.parametrize(
    ("reply", "at", "step"),
    [
        ("451 4.3.0 Try again later", "MAIL", "sender"),
        ("421 4.3.2 Service shutting down", "MAIL", "sender"),
        ("450 4.2.1 Mailbox busy", "RCPT", "recipients"),
        ("452 4.3.1 Insufficient storage", "DATA", "data"),
    ],
)
def test_a_4xx_reply_is_temporary(smtp_server: SmtpServer, reply: str, at: str, step: str) -> None:
    smtp_server.fail(reply, at=at)

    with SmtpSession(smtp_server.settings()) as session:
        with pytest.raises(SendError) as caught:
            session.send(SENDER, ["client@example.test"], make_mail())
        smtp_server.recover()
        session.send(SENDER, ["client@example.test"], make_mail(subject="Next"))  # the session goes on

    assert caught.value.temporary
    assert caught.value.step == step
    assert caught.value.code == int(reply[:3])
    assert reply[4:] in caught.value.message
    assert [r.subject for r in smtp_server.received] == ["Next"]


@pytest.mark.parametrize(("at", "step"), [("MAIL", "sender"), ("RCPT", "recipients"), ("DATA", "data")])
def test_a_5xx_reply_is_permanent(smtp_server: SmtpServer, at: str, step: str) -> None:
    smtp_server.fail("550 5.7.1 Refused by policy", at=at)

    with pytest.raises(SendError) as caught:
        send(smtp_server.settings(), ["client@example.test"], make_mail())

    assert not caught.value.temporary
    assert caught.value.step == step
    assert caught.value.code == 550
    assert "Refused by policy" in caught.value.message
    assert smtp_server.received == []


def test_refused_recipients_are_reported_one_by_one(smtp_server: SmtpServer) -> None:
    smtp_server.sink.refuse["gone@example.test"] = "550 5.1.1 No such user"

    with pytest.raises(SendError) as caught:
        send(smtp_server.settings(), ["client@example.test", "gone@example.test"], make_mail())

    error = caught.value
    assert error.step == "recipients" and not error.temporary
    assert error.accepted == ("client@example.test",)
    assert error.refused == {"gone@example.test": (550, "5.1.1 No such user")}
    assert [r.rcpt_tos for r in smtp_server.received] == [["client@example.test"]]


def test_a_server_that_is_down_is_a_temporary_failure(smtp_server: SmtpServer) -> None:
    smtp_server.stop()

    with pytest.raises(SendError) as caught:
        send(smtp_server.settings(), ["client@example.test"], make_mail())

    assert caught.value.temporary
    assert caught.value.step == "connect"
    assert "refused the connection" in caught.value.message


def test_a_wrong_password_is_retried_later_not_blamed_on_the_message(smtp_tls_server: SmtpServer) -> None:
    with pytest.raises(SendError) as caught:
        send(smtp_tls_server.settings(password="wrong"), ["client@example.test"], make_mail())

    assert caught.value.step == "auth"
    assert caught.value.temporary  # an administrator fixes the password; the message can still go
    assert caught.value.code == 535


# --- test connection ---------------------------------------------------------------------------


def test_check_reports_what_the_server_offers(smtp_tls_server: SmtpServer) -> None:
    report = check_smtp(smtp_tls_server.settings())

    assert report.ok, report.error
    assert [step.step for step in report.steps] == ["connect", "tls", "auth"]
    assert "certificate is valid" in report.steps[1].detail
    assert "AUTH" in report.capabilities
    assert "PLAIN" in report.extra["auth"]
    assert smtp_tls_server.received == []


def test_check_refuses_an_untrusted_certificate(smtp_tls_server: SmtpServer, mail_tls: object) -> None:
    for security, port in ((Security.STARTTLS, smtp_tls_server.port), (Security.SSL, smtp_tls_server.ssl_port)):
        report = check_smtp(smtp_tls_server.settings(security=security, port=port, ca_file=""))

        assert report.error is not None and report.error.step == "tls", security
        assert "not trusted" in report.error.message
        assert "auth" not in [step.step for step in report.steps]


def test_check_says_starttls_is_missing(smtp_server: SmtpServer) -> None:
    report = check_smtp(smtp_server.settings(security=Security.STARTTLS))

    assert report.error is not None and report.error.step == "tls"
    assert "does not offer STARTTLS" in report.error.message


def test_check_says_the_port_refused() -> None:
    report = check_smtp(SmtpSettings("127.0.0.1", free_port(), Security.PLAIN, timeout=2))

    assert report.error is not None and report.error.step == "connect"
    assert report.error.temporary


def test_no_encryption_only_to_this_machine() -> None:
    started = time.monotonic()
    report = check_smtp(SmtpSettings("192.0.2.1", 25, Security.PLAIN, "user", "secret", timeout=5))

    assert report.error is not None and report.error.step == "settings"
    assert "only to this machine" in report.error.message
    assert time.monotonic() - started < 0.5  # refused without trying to connect
    with pytest.raises(SendError):
        SmtpSession(SmtpSettings("192.0.2.1", 25, Security.PLAIN)).__enter__()
    assert validate_settings(SmtpSettings("localhost", 25, Security.PLAIN)) == []
    assert validate_settings(SmtpSettings("smtp.bank.test", 465, Security.SSL, "u", "p")) == []
