"""pytest plugin: real mail servers for tests (the root ``conftest.py`` registers it).

- ``mail_tls``: a throw-away certificate authority and a server certificate for
  127.0.0.1 and ``imap.okno.test`` (``ca_file``), plus an authority that signed
  nothing here (``other_ca_file``), to see verification fail.
- ``dovecot`` (session): Debian's Dovecot on 127.0.0.1, plain IMAP with STARTTLS
  (``imap_port``) and implicit TLS (``imaps_port``); ``stop()``/``start()`` for
  outages. ``dovecot_without_idle``: a second one that does not offer IDLE.
- ``imap_account``: a fresh user with an empty mailbox on ``dovecot`` for each test,
  with helpers to put mail in and look at flags (plain imaplib, not Okno's code).
- ``smtp_server``: aiosmtpd in this process, no TLS, AUTH offered but not required;
  ``smtp_tls_server``: STARTTLS and implicit TLS with AUTH required. Both keep what
  they accepted and can be told to refuse (421/451/550) or be down.

Dovecot runs as root (mail owned by uid 65534, as Dovecot will not touch mail as
root) or as any user (all its service users are then that user).
"""

from __future__ import annotations

import contextlib
import datetime
import email
import email.policy
import email.utils
import grp
import imaplib
import ipaddress
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from string import Template
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from okno.channels.mail.transport.common import Security

TEMPLATE = Path(__file__).resolve().parent / "tests" / "dovecot" / "dovecot.conf.in"
SERVER_NAME = "imap.okno.test"
HOST = "127.0.0.1"
MAIL_USER = "okno"
MAIL_PASSWORD = "okno-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Any, timeout: float = 5.0, interval: float = 0.02, message: Any = None) -> Any:
    """Poll ``condition`` until it returns something true; that value, or fail (saying
    what ``message()`` returns, when given)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s" + (f": {message()}" if message else ""))
        time.sleep(interval)


def _private_dir(prefix: str) -> Path:
    """A temporary directory others may traverse (Dovecot's mail user is not us when root)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    path.chmod(0o755)
    return path


# ---------------------------------------------------------------------------
# Certificates


@dataclass(frozen=True)
class MailTls:
    ca_file: str  # the authority that signed the servers' certificate
    other_ca_file: str  # an authority that signed nothing here
    cert_file: str  # the servers' certificate (for 127.0.0.1 and imap.okno.test)
    key_file: str

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def _make_tls(directory: Path) -> MailTls:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    pem = serialization.Encoding.PEM

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def authority(common: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(name(common))
            .issuer_name(name(common))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        return key, cert

    ca_key, ca_cert = authority("Okno test CA")
    _other_key, other_cert = authority("Okno other CA")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(SERVER_NAME))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(SERVER_NAME), x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    files = {
        "ca.pem": ca_cert.public_bytes(pem),
        "other-ca.pem": other_cert.public_bytes(pem),
        "server.pem": cert.public_bytes(pem),
        "server.key": key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    }
    for filename, content in files.items():
        (directory / filename).write_bytes(content)
    (directory / "server.key").chmod(0o600)
    return MailTls(
        ca_file=str(directory / "ca.pem"),
        other_ca_file=str(directory / "other-ca.pem"),
        cert_file=str(directory / "server.pem"),
        key_file=str(directory / "server.key"),
    )


@pytest.fixture(scope="session")
def mail_tls() -> Iterator[MailTls]:
    directory = _private_dir("okno-mail-tls-")
    try:
        yield _make_tls(directory)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# ---------------------------------------------------------------------------
# Dovecot


def _dovecot_binary() -> str:
    path = shutil.which("dovecot", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    if not path:
        pytest.fail("Dovecot is not installed: install Debian's dovecot-imapd (apt-get install dovecot-imapd)")
    return path


class Dovecot:
    """A private Dovecot under one temporary directory."""

    host = HOST

    def __init__(self, root: Path, tls: MailTls, *, extra: str = "") -> None:
        self.root = root
        self.tls = tls
        self.binary = _dovecot_binary()
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.users_dir = root / "users"
        self.mail_root = root / "mail"
        self.log_path = root / "dovecot.log"
        self.config_path = root / "dovecot.conf"
        self._process: subprocess.Popen[bytes] | None = None
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        if os.geteuid() == 0:
            self.mail_uid = self.mail_gid = 65534  # nobody: Dovecot refuses root for mail
            user_settings = ""
            login_settings = anvil_settings = ""
        else:
            self.mail_uid, self.mail_gid = os.getuid(), os.getgid()
            user = pwd.getpwuid(self.mail_uid).pw_name
            group = grp.getgrgid(self.mail_gid).gr_name
            user_settings = "\n".join(
                [
                    f"default_internal_user = {user}",
                    f"default_internal_group = {group}",
                    f"default_login_user = {user}",
                ]
            )
            login_settings = "  chroot =\n  user = $default_login_user"
            anvil_settings = "  chroot ="
        for sub in ("run", "state", "mail", "users"):
            (root / sub).mkdir(mode=0o755, exist_ok=True)
        if os.geteuid() == 0:
            os.chown(self.mail_root, self.mail_uid, self.mail_gid)
        self.config_path.write_text(
            Template(TEMPLATE.read_text()).substitute(
                base_dir=root / "run",
                state_dir=root / "state",
                log_path=self.log_path,
                cert_file=tls.cert_file,
                key_file=tls.key_file,
                mail_uid=self.mail_uid,
                mail_gid=self.mail_gid,
                user_settings=user_settings,
                users_dir=self.users_dir,
                imap_port=self.imap_port,
                imaps_port=self.imaps_port,
                login_service_settings=login_settings,
                anvil_service_settings=anvil_settings,
                extra=extra,
            )
        )

    # -- running -----------------------------------------------------------

    def running(self) -> bool:
        return (
            self._process is not None
            and self._process.poll() is None
            and _listening(self.imap_port)
            and _listening(self.imaps_port)
        )

    def start(self) -> None:
        """Start it in the foreground (``-F``), as our child in a session of its own:
        we reap it, and one signal to its process group reaches every Dovecot process."""
        if self.running():
            return
        errors = self.root / "start-errors.txt"
        with errors.open("wb") as stderr:
            self._process = subprocess.Popen(  # noqa: S603 - Debian's dovecot, our own config
                [self.binary, "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
        deadline = time.monotonic() + 10
        while not self.running():
            if self._process.poll() is not None:
                raise RuntimeError(f"dovecot did not start: {errors.read_text(errors='replace')}\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"dovecot did not listen in 10 s\n{self.log_tail()}")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop it, cutting connected clients off as a crash or a reboot would (the
        master alone would leave its imap processes serving), and wait until the ports
        are closed."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # whatever did not go by itself
        wait_for(lambda: not _listening(self.imap_port) and not _listening(self.imaps_port), timeout=10)

    def ensure_running(self) -> None:
        if not self.running():
            self.start()

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # -- accounts ----------------------------------------------------------

    def new_account(self, prefix: str = "user") -> ImapAccount:
        """A new user with an empty mailbox (a passwd-file of its own, read at first login)."""
        with self._lock:
            username = f"{prefix}{next(self._counter)}"
            password = f"pw-{username}"
            home = self.mail_root / username
            home.mkdir(mode=0o700)
            if os.geteuid() == 0:
                os.chown(home, self.mail_uid, self.mail_gid)
            entry = self.users_dir / username
            entry.write_text(f"{username}:{{PLAIN}}{password}:{self.mail_uid}:{self.mail_gid}::{home}::\n")
            entry.chmod(0o644)
        return ImapAccount(self, username, password)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def _start_dovecot(tls: MailTls, extra: str = "") -> Iterator[Dovecot]:
    root = _private_dir("okno-dovecot-")
    server = Dovecot(root, tls, extra=extra)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot(mail_tls: MailTls) -> Iterator[Dovecot]:
    yield from _start_dovecot(mail_tls)


# Dovecot's own list without IDLE: a server that can only be polled.
CAPABILITIES_WITHOUT_IDLE = (
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS "
    "THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS "
    "LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH "
    "LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY LITERAL+ NOTIFY SPECIAL-USE"
)


@pytest.fixture(scope="session")
def dovecot_without_idle(mail_tls: MailTls) -> Iterator[Dovecot]:
    yield from _start_dovecot(mail_tls, extra=f"protocol imap {{\n  imap_capability = {CAPABILITIES_WITHOUT_IDLE}\n}}")


@dataclass
class ImapAccount:
    """A user on a test Dovecot. The helpers talk plain IMAP on loopback with imaplib,
    independently of the code under test."""

    server: Dovecot
    username: str
    password: str

    @property
    def host(self) -> str:
        return self.server.host

    def settings(self, **changes: Any) -> Any:
        """``ImapSettings`` for this account: STARTTLS verified by the test CA unless changed."""
        from okno.channels.mail.transport.imap import ImapSettings

        values: dict[str, Any] = {
            "host": self.host,
            "port": self.server.imap_port,
            "security": Security.STARTTLS,
            "username": self.username,
            "password": self.password,
            "ca_file": self.server.tls.ca_file,
            "timeout": 5.0,
        }
        values.update(changes)
        return ImapSettings(**values)

    @contextlib.contextmanager
    def connect(self) -> Iterator[imaplib.IMAP4]:
        client = imaplib.IMAP4(self.host, self.server.imap_port, timeout=5)
        try:
            client.login(self.username, self.password)
            yield client
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                client.logout()

    def append(self, raw: bytes, folder: str = "INBOX", flags: str = "") -> int:
        """Deliver a message; its UID."""
        with self.connect() as client:
            typ, data = client.append(_quote(folder), f"({flags})" if flags else None, None, raw)
            assert typ == "OK", data
            match = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
            assert match, data
            return int(match.group(1))

    def folder_uids(self, name: str) -> list[int]:
        with self.connect() as client:
            typ, data = client.select(_quote(name), readonly=True)
            assert typ == "OK", data
            typ, data = client.uid("SEARCH", "ALL")
            assert typ == "OK", data
            return [int(x) for x in (data[0] or b"").split()]

    def uids(self) -> list[int]:
        return self.folder_uids("INBOX")

    def unseen(self, folder: str = "INBOX") -> list[int]:
        """UIDs without \\Seen: what a listener marking mail read has not taken yet."""
        with self.connect() as client:
            typ, data = client.select(_quote(folder), readonly=True)
            assert typ == "OK", data
            typ, data = client.uid("SEARCH", "UNSEEN")
            assert typ == "OK", data
            return [int(x) for x in (data[0] or b"").split()]

    def flags(self, uid: int, folder: str = "INBOX") -> set[str]:
        with self.connect() as client:
            client.select(_quote(folder), readonly=True)
            typ, data = client.uid("FETCH", str(uid), "(FLAGS)")
            assert typ == "OK" and data and data[0], (typ, data)
            match = re.search(rb"FLAGS \(([^)]*)\)", data[0] if isinstance(data[0], bytes) else data[0][0])
            assert match, data
            return set(match.group(1).decode().split())

    def create_folder(self, name: str) -> None:
        with self.connect() as client:
            typ, data = client.create(_quote(name))
            assert typ == "OK", data

    def delete_folder(self, name: str) -> None:
        with self.connect() as client:
            typ, data = client.delete(_quote(name))
            assert typ == "OK", data

    def uidvalidity(self, folder: str = "INBOX") -> int:
        with self.connect() as client:
            typ, data = client.status(_quote(folder), "(UIDVALIDITY)")
            assert typ == "OK", data
            match = re.search(rb"UIDVALIDITY (\d+)", data[0] or b"")
            assert match, data
            return int(match.group(1))


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.fixture
def imap_account(dovecot: Dovecot) -> ImapAccount:
    """A fresh user with an empty INBOX on the (running) test Dovecot."""
    dovecot.ensure_running()
    return dovecot.new_account()


def make_mail(
    subject: str = "Hello", body: str = "Text.", sender: str = "client@example.test", **headers: str
) -> bytes:
    """A small RFC 822 message (a unique Message-ID unless one is given)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@bank.test"
    message["Subject"] = subject
    message["Message-ID"] = headers.pop("message_id", email.utils.make_msgid(domain="example.test"))
    for key, value in headers.items():
        message[key.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes(policy=email.policy.SMTP)


# ---------------------------------------------------------------------------
# SMTP


@dataclass
class Received:
    """What the SMTP server accepted: envelope sender, recipients and the parsed message."""

    rcpt_tos: list[str]
    message: EmailMessage
    mail_from: str = ""
    raw: bytes = b""
    authenticated_as: str | None = None
    peer: Any = None  # the client's (address, port): one port, one connection

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())


@dataclass
class Sink:
    """The aiosmtpd handler: keeps what it accepts; can be told to refuse.

    ``fail_at`` ('MAIL', 'RCPT' or 'DATA') with ``fail_reply`` ('451 4.3.0 Try later',
    '550 5.7.1 Refused', '421 4.3.2 Shutting down') refuses there; ``refuse`` maps a
    recipient to the reply for that one recipient."""

    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    fail_at: str | None = None
    fail_reply: str = ""
    refuse: dict[str, str] = field(default_factory=dict)
    auth_required: bool = False

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if self.auth_required and not session.authenticated:
            return "530 5.7.0 Authentication required"
        if self.fail_at == "MAIL":
            return self.fail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if self.fail_at == "RCPT":
            return self.fail_reply
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.fail_at == "DATA":
            return self.fail_reply
        raw = envelope.original_content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        auth = session.auth_data
        with self.lock:
            self.received.append(
                Received(
                    list(envelope.rcpt_tos),
                    message,
                    mail_from=envelope.mail_from or "",
                    raw=raw,
                    authenticated_as=auth.login.decode() if isinstance(auth, LoginPassword) else None,
                    peer=session.peer,
                )
            )
        return "250 Message accepted for delivery"


class _Authenticator:
    def __init__(self, username: str, password: str) -> None:
        self.username = username.encode()
        self.password = password.encode()

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.username
            and auth_data.password == self.password
        )
        # handled=False: aiosmtpd answers a refusal itself (535); True would mean "already answered".
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class SmtpServer:
    """aiosmtpd on 127.0.0.1. ``port`` is the first (or only) listener: plain for
    ``smtp_server``, STARTTLS for ``smtp_tls_server`` (``ssl_port`` is implicit TLS)."""

    host = HOST

    def __init__(self, sink: Sink, *, tls: MailTls | None = None) -> None:
        self.sink = sink
        self.tls = tls
        self.username = MAIL_USER
        self.password = MAIL_PASSWORD
        self.port = free_port()
        self.ssl_port = free_port() if tls else 0
        self._controllers: list[Controller] = []

    @property
    def starttls_port(self) -> int:
        return self.port

    @property
    def ca_file(self) -> str:
        return self.tls.ca_file if self.tls else ""

    @property
    def received(self) -> list[Received]:
        return list(self.sink.received)

    def _build(self) -> list[Controller]:
        authenticator = _Authenticator(self.username, self.password)
        common: dict[str, Any] = {"hostname": HOST, "authenticator": authenticator, "ready_timeout": 5}
        if self.tls is None:
            return [Controller(self.sink, port=self.port, auth_require_tls=False, **common)]
        context = self.tls.server_context()
        self.sink.auth_required = True
        return [
            Controller(self.sink, port=self.port, tls_context=context, require_starttls=True, **common),
            # aiosmtpd counts only STARTTLS as TLS for AUTH: on the implicit-TLS port the
            # sink itself refuses MAIL before a login.
            Controller(self.sink, port=self.ssl_port, ssl_context=context, auth_require_tls=False, **common),
        ]

    def start(self) -> None:
        if self._controllers:
            return
        controllers = self._build()
        for controller in controllers:
            controller.start()
        self._controllers = controllers

    def stop(self) -> None:
        """Down: nothing listens on the ports until ``start()``."""
        controllers, self._controllers = self._controllers, []
        for controller in controllers:
            controller.stop()

    def fail(self, reply: str, at: str = "MAIL") -> None:
        """Answer ``reply`` (e.g. '451 4.3.0 Try later') at MAIL, RCPT or DATA from now on."""
        self.sink.fail_at = at
        self.sink.fail_reply = reply

    def recover(self) -> None:
        self.sink.fail_at = None
        self.sink.refuse.clear()

    def settings(self, **changes: Any) -> Any:
        """``SmtpSettings`` for this server (verified by the test CA when it speaks TLS)."""
        from okno.channels.mail.transport.smtp import SmtpSettings

        values: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "security": Security.STARTTLS if self.tls else Security.PLAIN,
            "username": self.username,
            "password": self.password,
            "ca_file": self.ca_file,
            "timeout": 5.0,
        }
        values.update(changes)
        return SmtpSettings(**values)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server without TLS (AUTH offered, not required)."""
    server = SmtpServer(Sink())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_tls_server(mail_tls: MailTls) -> Iterator[SmtpServer]:
    """A real SMTP server requiring TLS and AUTH: STARTTLS on ``port``, implicit TLS on ``ssl_port``."""
    server = SmtpServer(Sink(), tls=mail_tls)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def smtp_mailers(port: int, host: str = HOST) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": host, "port": port, "timeout": 5},
        }
    }
