"""What IMAP and SMTP share: the security mode, the error one step of a conversation
with a mail server raises (with a message an administrator can act on), the report of
"test connection", the TLS context and the loopback rule for unencrypted links."""

from __future__ import annotations

import ipaddress
import os
import socket
import ssl
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _


class Security(StrEnum):
    SSL = "ssl"  # implicit TLS from the first byte (IMAPS 993, SMTPS 465)
    STARTTLS = "starttls"  # plain greeting, then TLS before any password
    PLAIN = "plain"  # no encryption: only to this machine (loopback)


class MailServerError(Exception):
    """One step of talking to a mail server failed.

    ``step`` says which ('settings', 'resolve', 'connect', 'tls', 'greeting', 'auth',
    'folder', 'protocol', 'timeout'; SMTP adds 'sender', 'recipients', 'data'),
    ``message`` says why in words an administrator can act on, ``temporary`` whether
    trying again later may help without anyone changing anything."""

    def __init__(self, step: str, message: str, *, temporary: bool = True) -> None:
        super().__init__(message)
        self.step = step
        self.message = message
        self.temporary = temporary

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(step={self.step!r}, temporary={self.temporary})"


@dataclass(frozen=True)
class CheckStep:
    """A step of a connection test that went well, and what it found."""

    step: str
    detail: str


@dataclass(frozen=True)
class CheckReport:
    """The result of "test connection": the steps that passed in order, and the error
    of the step that failed (None when everything worked)."""

    steps: tuple[CheckStep, ...] = ()
    error: MailServerError | None = None
    capabilities: tuple[str, ...] = ()
    idle: bool | None = None  # IMAP: the server can push new mail (IDLE)
    messages: int | None = None  # IMAP: messages in the watched folder
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def is_loopback(host: str) -> bool:
    """True for a loopback address or the name ``localhost``. Other names are not
    resolved: a name that resolves to this machine today may not tomorrow."""
    name = host.strip().rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def common_problems(
    host: str, port: int, security: Security | str, timeout: float, verify_tls: bool, ca_file: str
) -> list[str]:
    """Problems with the settings both protocols have, as sentences for a form."""
    problems: list[str] = []
    if not host.strip():
        problems.append(_("Enter the server's host name."))
    if not 0 < port < 65536:
        problems.append(_("The port must be a number from 1 to 65535."))
    try:
        mode = Security(security)
    except ValueError:
        problems.append(_("Choose the encryption: SSL/TLS, STARTTLS or none."))
        mode = None
    if mode is Security.PLAIN and host.strip() and not is_loopback(host):
        problems.append(
            _(
                "A connection without encryption is allowed only to this machine (localhost, 127.0.0.1, ::1): "
                "choose SSL/TLS or STARTTLS for %(host)s."
            )
            % {"host": host}
        )
    if timeout <= 0:
        problems.append(_("The timeout must be a positive number of seconds."))
    if ca_file and mode is not Security.PLAIN and not os.path.isfile(ca_file):
        problems.append(_("The CA certificate file %(path)s does not exist.") % {"path": ca_file})
    if not verify_tls and ca_file:
        problems.append(_("A CA certificate file makes no sense when certificate verification is off."))
    return problems


def tls_context(verify: bool, ca_file: str) -> ssl.SSLContext:
    """A client TLS context: the system's trusted authorities, or only ``ca_file`` (a
    private CA), or no verification at all when an administrator switched it off."""
    try:
        context = ssl.create_default_context(cafile=ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        raise MailServerError(
            "tls",
            _("The CA certificate file %(path)s cannot be used: %(reason)s.")
            % {"path": ca_file, "reason": getattr(exc, "strerror", None) or str(exc)},
            temporary=False,
        ) from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def tls_detail(sock: object, verified: bool, host: str) -> str:
    """What a TLS connection is, for the connection test."""
    version = sock.version() if isinstance(sock, ssl.SSLSocket) else None
    if verified:
        return _("Encrypted (%(version)s); the certificate is valid for %(host)s.") % {
            "version": version or "TLS",
            "host": host,
        }
    return _("Encrypted (%(version)s); the certificate was NOT checked (verification is switched off).") % {
        "version": version or "TLS"
    }


def step_label(step: str) -> str:
    labels = {
        "resolve": _("resolving the name"),
        "connect": _("connecting"),
        "tls": _("negotiating TLS"),
        "greeting": _("waiting for the greeting"),
        "auth": _("logging in"),
        "folder": _("opening the folder"),
        "protocol": _("talking to the server"),
        "sender": _("announcing the sender"),
        "recipients": _("announcing the recipients"),
        "data": _("sending the message"),
    }
    return labels.get(step, step)


def network_error(exc: BaseException, *, host: str, port: int, step: str, timeout: float) -> MailServerError:
    """An OS, socket or TLS error during ``step``, described precisely."""
    where = {"host": host, "port": port}
    if isinstance(exc, socket.gaierror):
        return MailServerError(
            "resolve",
            _("The name %(host)s cannot be resolved (%(reason)s): check the host name and the DNS.")
            % {"host": host, "reason": exc.strerror or exc},
        )
    if isinstance(exc, ConnectionRefusedError):
        return MailServerError(
            "connect",
            _(
                "%(host)s refused the connection on port %(port)s: nothing listens there "
                "(wrong port, or the server is down), or a firewall rejects it."
            )
            % where,
        )
    if isinstance(exc, TimeoutError):
        if step == "connect":
            return MailServerError(
                "connect",
                _(
                    "No answer from %(host)s on port %(port)s within %(seconds)s s: the server is down, "
                    "or a firewall drops the connection."
                )
                % {**where, "seconds": _seconds(timeout)},
            )
        return MailServerError(
            "timeout",
            _("The server stopped answering (nothing for %(seconds)s s) while %(step)s.")
            % {"seconds": _seconds(timeout), "step": step_label(step)},
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailServerError("tls", _certificate_problem(exc, host), temporary=False)
    if isinstance(exc, ssl.SSLError):
        reason = exc.reason or exc.strerror or str(exc)
        if reason in ("WRONG_VERSION_NUMBER", "UNKNOWN_PROTOCOL", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"):
            return MailServerError(
                "tls",
                _(
                    "%(host)s did not answer with TLS on port %(port)s: this port probably expects STARTTLS "
                    "or no encryption (choose the matching encryption or port)."
                )
                % where,
                temporary=False,
            )
        return MailServerError("tls", _("The TLS handshake failed: %(reason)s.") % {"reason": reason})
    if isinstance(exc, ConnectionError | EOFError):
        return MailServerError(
            "connect" if step in ("connect", "greeting") else step,
            _("The server closed the connection while %(step)s.") % {"step": step_label(step)},
        )
    if isinstance(exc, OSError):
        if step == "connect":
            return MailServerError(
                "connect",
                _("Cannot reach %(host)s on port %(port)s: %(reason)s.")
                % {**where, "reason": exc.strerror or exc.__class__.__name__},
            )
        return MailServerError(
            step,
            _("The connection broke while %(step)s: %(reason)s.")
            % {"step": step_label(step), "reason": exc.strerror or exc.__class__.__name__},
        )
    return MailServerError("protocol", _("Unexpected error while %(step)s.") % {"step": step_label(step)})


def _certificate_problem(exc: ssl.SSLCertVerificationError, host: str) -> str:
    code = exc.verify_code
    detail = exc.verify_message or str(exc)
    if code == 62:  # X509_V_ERR_HOSTNAME_MISMATCH
        return _(
            "The server's certificate is not valid for the name %(host)s: connect by the name the certificate "
            "was issued for."
        ) % {"host": host}
    if code == 64:  # X509_V_ERR_IP_ADDRESS_MISMATCH
        return _("The server's certificate is not valid for the address %(host)s.") % {"host": host}
    if code in (18, 19, 20, 21):  # self-signed, self-signed in chain, unknown issuer, unable to verify leaf
        return _(
            "The server's certificate is not trusted: it was not issued by an authority this machine "
            "trusts (%(detail)s). For a private authority, give its certificate file."
        ) % {"detail": detail}
    if code == 10:  # X509_V_ERR_CERT_HAS_EXPIRED
        return _("The server's certificate has expired.")
    if code == 9:  # X509_V_ERR_CERT_NOT_YET_VALID
        return _("The server's certificate is not valid yet (check this machine's clock).")
    return _("The server's certificate could not be verified: %(detail)s.") % {"detail": detail}


def _seconds(value: float) -> str:
    return f"{value:g}"
