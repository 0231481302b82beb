"""Sending over SMTP: "test connection" and a session that keeps one connection for
many messages. Django-free: the outbox decides what to send and what a failure means
for the appeal.

``SendError.temporary`` is about the message: True means "try the same message again
later" (4xx replies, a server that is down or unreachable, TLS or login problems that
an administrator fixes in the settings); False means this message will never be taken
as it is (a 5xx reply to its sender, recipients or content)."""

from __future__ import annotations

import contextlib
import functools
import re
import smtplib
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from django.utils.translation import gettext as _

from .common import (
    CheckReport,
    CheckStep,
    MailServerError,
    Security,
    common_problems,
    network_error,
    tls_context,
    tls_detail,
)

__all__ = ["CheckReport", "SendError", "SmtpSession", "SmtpSettings", "check_smtp", "validate_settings"]


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: Security
    username: str = ""  # empty: no AUTH (a relay that trusts this machine)
    password: str = ""
    timeout: float = 30.0
    verify_tls: bool = True
    ca_file: str = ""
    helo_name: str = ""  # the name said in EHLO; empty: this machine's name

    def __repr__(self) -> str:  # never the password
        return f"SmtpSettings(host={self.host!r}, port={self.port}, security={str(self.security)!r})"


class SendError(MailServerError):
    """Sending failed. ``code`` is the server's reply code when it gave one;
    ``refused`` maps each refused recipient to (code, reply) and ``accepted`` lists the
    recipients that did get the message (a partial delivery: retry only the refused)."""

    def __init__(
        self,
        step: str,
        message: str,
        *,
        temporary: bool,
        code: int | None = None,
        refused: dict[str, tuple[int, str]] | None = None,
        accepted: Sequence[str] = (),
    ) -> None:
        super().__init__(step, message, temporary=temporary)
        self.code = code
        self.refused = refused or {}
        self.accepted = tuple(accepted)


def validate_settings(settings: SmtpSettings) -> list[str]:
    """Problems with the settings, as sentences for a form (empty when fine)."""
    problems = common_problems(
        settings.host, settings.port, settings.security, settings.timeout, settings.verify_tls, settings.ca_file
    )
    if settings.password and not settings.username:
        problems.append(_("Enter the user name that goes with the password."))
    return problems


_BARE_EOL = re.compile(rb"\r?\n|\r(?!\n)")


@functools.cache
def _local_name() -> str:
    """This machine's name for EHLO, looked up once (getfqdn may wait on DNS)."""
    return socket.getfqdn()


def _reply(data: Any) -> str:
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    return " ".join(str(data).split())[:300]


def _is_temporary(code: int) -> bool:
    return 400 <= code < 500


class _Tracker:
    def __init__(self) -> None:
        self.step = "connect"


class _Smtp(smtplib.SMTP):
    def __init__(self, tracker: _Tracker, **kwargs: Any) -> None:
        self._tracker = tracker
        super().__init__(**kwargs)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        self._tracker.step = "connect"
        sock: socket.socket = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        self._tracker.step = "greeting"
        return sock


class _SmtpSsl(smtplib.SMTP_SSL):
    def __init__(self, tracker: _Tracker, **kwargs: Any) -> None:
        self._tracker = tracker
        super().__init__(**kwargs)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        self._tracker.step = "connect"
        sock: socket.socket = smtplib.SMTP._get_socket(self, host, port, timeout)  # type: ignore[attr-defined]
        self._tracker.step = "tls"
        try:
            wrapped = self.context.wrap_socket(sock, server_hostname=getattr(self, "_host", host))
        except BaseException:
            sock.close()
            raise
        self._tracker.step = "greeting"
        return wrapped


class SmtpSession:
    """One SMTP connection for many messages: EHLO, TLS (implicit or STARTTLS), AUTH
    on enter; QUIT on exit. A connection the server dropped between messages is
    opened again once before the next message."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.steps: list[CheckStep] = []
        self.extensions: dict[str, str] = {}
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Self:
        problems = validate_settings(self.settings)
        if problems:
            raise SendError("settings", problems[0], temporary=True)
        self._open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close(quit_=True)

    # -- connection ----------------------------------------------------------

    def _error(self, exc: BaseException, step: str) -> SendError:
        s = self.settings
        base = network_error(exc, host=s.host, port=s.port, step=step, timeout=s.timeout)
        return SendError(base.step, base.message, temporary=True)

    def _open(self) -> None:
        s = self.settings
        self.steps = []
        tracker = _Tracker()
        local = s.helo_name or _local_name()
        try:
            if s.security is Security.SSL:
                context = tls_context(s.verify_tls, s.ca_file)
                smtp: smtplib.SMTP = _SmtpSsl(
                    tracker, host=s.host, port=s.port, local_hostname=local, timeout=s.timeout, context=context
                )
            else:
                smtp = _Smtp(tracker, host=s.host, port=s.port, local_hostname=local, timeout=s.timeout)
        except MailServerError as exc:
            raise SendError(exc.step, exc.message, temporary=True) from None
        except smtplib.SMTPConnectError as exc:
            raise SendError(
                "greeting",
                _("%(host)s refused the session: %(code)s %(reply)s")
                % {"host": s.host, "code": exc.smtp_code, "reply": _reply(exc.smtp_error)},
                temporary=True,
                code=exc.smtp_code,
            ) from None
        except smtplib.SMTPServerDisconnected:
            raise SendError(
                "greeting",
                _("%(host)s closed the connection before greeting: is this an SMTP port?") % {"host": s.host},
                temporary=True,
            ) from None
        except (OSError, EOFError) as exc:
            raise self._error(exc, tracker.step) from None
        self._smtp = smtp
        try:
            self.steps.append(
                CheckStep("connect", _("Connected to %(host)s, port %(port)s.") % {"host": s.host, "port": s.port})
            )
            if s.security is Security.SSL:
                self.steps.append(CheckStep("tls", tls_detail(smtp.sock, s.verify_tls, s.host)))
            self._ehlo(smtp)
            if s.security is Security.STARTTLS:
                self._starttls(smtp)
            if s.username:
                self._login(smtp)
        except BaseException:
            self._close(quit_=False)
            raise

    def _ehlo(self, smtp: smtplib.SMTP) -> None:
        try:
            code, reply = smtp.ehlo()
            if not 200 <= code < 300:
                code, reply = smtp.helo()
                if not 200 <= code < 300:
                    raise SendError(
                        "greeting",
                        _("The server refused our greeting: %(code)s %(reply)s")
                        % {"code": code, "reply": _reply(reply)},
                        temporary=True,
                        code=code,
                    )
        except smtplib.SMTPServerDisconnected as exc:
            raise self._error(ConnectionResetError(str(exc)), "greeting") from None
        except (OSError, EOFError) as exc:
            raise self._error(exc, "greeting") from None
        self.extensions = dict(smtp.esmtp_features)

    def _starttls(self, smtp: smtplib.SMTP) -> None:
        s = self.settings
        if not smtp.has_extn("starttls"):
            raise SendError(
                "tls",
                _(
                    "%(host)s does not offer STARTTLS on port %(port)s: choose SSL/TLS (usually port 465) "
                    "or check the port."
                )
                % {"host": s.host, "port": s.port},
                temporary=True,
            )
        context = tls_context(s.verify_tls, s.ca_file)
        try:
            smtp.starttls(context=context)
        except smtplib.SMTPResponseException as exc:
            raise SendError(
                "tls",
                _("The server refused STARTTLS: %(code)s %(reply)s")
                % {"code": exc.smtp_code, "reply": _reply(exc.smtp_error)},
                temporary=True,
                code=exc.smtp_code,
            ) from None
        except (OSError, EOFError, smtplib.SMTPServerDisconnected) as exc:
            raise self._error(exc if isinstance(exc, OSError | EOFError) else ConnectionResetError(), "tls") from None
        self.steps.append(CheckStep("tls", tls_detail(smtp.sock, s.verify_tls, s.host)))
        self._ehlo(smtp)

    def _login(self, smtp: smtplib.SMTP) -> None:
        s = self.settings
        if not smtp.has_extn("auth"):
            raise SendError(
                "auth",
                _(
                    "The server does not offer to log in (no AUTH) on this connection: it may require "
                    "encryption first, or accept mail from this machine without a password."
                ),
                temporary=True,
            )
        offered = smtp.esmtp_features.get("auth", "").upper().split()
        mechanism = next((m for m in ("PLAIN", "LOGIN", "CRAM-MD5") if m in offered), None)
        if mechanism is None:
            raise SendError(
                "auth",
                _("The server offers no login method Okno knows (it offers: %(methods)s).")
                % {"methods": " ".join(offered) or "-"},
                temporary=True,
            )
        # One mechanism, once: smtplib's login() would go on to the next after a
        # refusal, and some servers then wait for input that never comes.
        smtp.user, smtp.password = s.username, s.password
        try:
            smtp.auth(mechanism, getattr(smtp, "auth_" + mechanism.lower().replace("-", "_")))
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(
                "auth",
                _("The server refused the user name or password: %(code)s %(reply)s")
                % {"code": exc.smtp_code, "reply": _reply(exc.smtp_error)},
                temporary=True,
                code=exc.smtp_code,
            ) from None
        except UnicodeEncodeError:
            raise SendError(
                "auth",
                _("The user name or password has characters that SMTP login cannot carry (only ASCII)."),
                temporary=True,
            ) from None
        except smtplib.SMTPServerDisconnected:
            raise self._error(ConnectionResetError(), "auth") from None
        except smtplib.SMTPException as exc:
            raise SendError(
                "auth",
                _("Logging in failed: %(reason)s") % {"reason": _reply(str(exc))},
                temporary=True,
            ) from None
        except (OSError, EOFError) as exc:
            raise self._error(exc, "auth") from None
        self.steps.append(CheckStep("auth", _("Logged in as %(user)s.") % {"user": s.username}))

    def _close(self, *, quit_: bool) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        if quit_:
            try:
                smtp.quit()
                return
            except (smtplib.SMTPException, OSError):
                pass
        with contextlib.suppress(OSError):
            smtp.close()

    # -- sending -------------------------------------------------------------

    def send(self, envelope_from: str, recipients: Sequence[str], message: bytes) -> None:
        """Hand one message to the server. Raises ``SendError``; when some recipients
        were refused and others accepted, ``accepted`` and ``refused`` say which (retry
        only the refused ones). Lines end in CRLF on the wire whatever ``message`` uses:
        servers may refuse bare LF."""
        if not recipients:
            raise SendError("recipients", _("The message has no recipients."), temporary=False)
        message = _BARE_EOL.sub(b"\r\n", message)
        if self._smtp is None:
            self._open()
        try:
            self._transaction(envelope_from, recipients, message)
        except _Dropped:
            # The server closed an idle connection before taking anything: once more.
            self._close(quit_=False)
            self._open()
            try:
                self._transaction(envelope_from, recipients, message)
            except _Dropped as exc:
                self._close(quit_=False)
                raise exc.error from None

    def _transaction(self, envelope_from: str, recipients: Sequence[str], message: bytes) -> None:
        smtp = self._smtp
        assert smtp is not None
        options: list[str] = []
        if not message.isascii() and smtp.has_extn("8bitmime"):
            options.append("BODY=8BITMIME")
        if not (envelope_from.isascii() and all(r.isascii() for r in recipients)):
            if not smtp.has_extn("smtputf8"):
                raise SendError(
                    "sender",
                    _("An address has non-ASCII characters and the server does not accept them (no SMTPUTF8)."),
                    temporary=False,
                )
            options.append("SMTPUTF8")
        # MAIL FROM: a dropped connection here has taken nothing, so it may be retried.
        try:
            code, reply = smtp.mail(envelope_from, options)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise _Dropped(self._broken(exc, "sender")) from None
        if code != 250:
            self._reset(code)
            raise SendError(
                "sender",
                _("The server refused the sender: %(code)s %(reply)s") % {"code": code, "reply": _reply(reply)},
                temporary=_is_temporary(code),
                code=code,
            )
        refused: dict[str, tuple[int, str]] = {}
        accepted: list[str] = []
        try:
            for recipient in recipients:
                code, reply = smtp.rcpt(recipient)
                if code in (250, 251):
                    accepted.append(recipient)
                else:
                    refused[recipient] = (code, _reply(reply))
                    if code == 421:
                        break
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise self._broken(exc, "recipients") from None
        if not accepted:
            self._reset(next(iter(refused.values()))[0])
            raise self._refused(refused, accepted)
        try:
            code, reply = smtp.data(message)
        except smtplib.SMTPDataError as exc:
            self._reset(exc.smtp_code)
            raise SendError(
                "data",
                _("The server refused the message: %(code)s %(reply)s")
                % {"code": exc.smtp_code, "reply": _reply(exc.smtp_error)},
                temporary=_is_temporary(exc.smtp_code),
                code=exc.smtp_code,
            ) from None
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise self._broken(exc, "data") from None
        if code != 250:
            self._reset(code)
            raise SendError(
                "data",
                _("The server refused the message: %(code)s %(reply)s") % {"code": code, "reply": _reply(reply)},
                temporary=_is_temporary(code),
                code=code,
            )
        if refused:
            raise self._refused(refused, accepted)

    def _refused(self, refused: dict[str, tuple[int, str]], accepted: list[str]) -> SendError:
        listed = "; ".join(f"{address}: {code} {reply}" for address, (code, reply) in refused.items())
        if accepted:
            text = _("The server took the message for %(accepted)s but refused %(refused)s") % {
                "accepted": ", ".join(accepted),
                "refused": listed,
            }
        else:
            text = _("The server refused every recipient: %(refused)s") % {"refused": listed}
        return SendError(
            "recipients",
            text,
            temporary=all(_is_temporary(code) for code, _reply_text in refused.values()),
            code=next(iter(refused.values()))[0],
            refused=refused,
            accepted=accepted,
        )

    def _broken(self, exc: BaseException, step: str) -> SendError:
        self._close(quit_=False)
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            exc = ConnectionResetError(str(exc))
        return self._error(exc, step)

    def _reset(self, code: int) -> None:
        """After a refusal: RSET for the next message, or drop a connection the
        server is closing (421)."""
        smtp = self._smtp
        if smtp is None:
            return
        if code == 421:
            self._close(quit_=False)
            return
        try:
            smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._close(quit_=False)


class _Dropped(Exception):
    """The connection was gone before the server took anything of this message."""

    def __init__(self, error: SendError) -> None:
        super().__init__(error.message)
        self.error = error


def check_smtp(settings: SmtpSettings) -> CheckReport:
    """Connect, secure, greet and log in, without sending anything; report what the
    server offers (size limit, 8BITMIME, SMTPUTF8, login methods), or which step
    failed and why."""
    session = SmtpSession(settings)
    try:
        with session:
            extensions = session.extensions
            extra = {}
            if "size" in extensions and extensions["size"].isdecimal():
                extra["size_limit"] = extensions["size"]
            if "auth" in extensions:
                extra["auth"] = extensions["auth"]
            return CheckReport(
                steps=tuple(session.steps),
                capabilities=tuple(sorted(name.upper() for name in extensions)),
                extra=extra,
            )
    except MailServerError as exc:
        return CheckReport(steps=tuple(session.steps), error=exc)
