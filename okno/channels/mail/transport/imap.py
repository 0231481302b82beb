"""Reading a mailbox over IMAP: "test connection" and one session (select, fetch after
a UID, mark processed, wait for news by IDLE or polling). The loop that keeps a
mailbox drained for as long as Okno runs is in ``imap_loop``.

Nothing here knows Django models: the caller gives settings, the stored position and
a ``store`` that commits. The UID position is the single source of truth about what
was taken; flags and moves on the server are a courtesy to the people who also look at
the mailbox, so failing to set them loses nothing.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import select
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import batched
from types import TracebackType
from typing import Any, Self

from django.utils.translation import gettext as _
from imap_tools.errors import MailboxLoginError, UnexpectedCommandStatusError
from imap_tools.mailbox import BaseMailBox
from imap_tools.utils import encode_folder

from .common import (
    CheckReport,
    CheckStep,
    MailServerError,
    Security,
    common_problems,
    network_error,
    step_label,
    tls_context,
    tls_detail,
)

__all__ = [
    "CheckReport",
    "CheckStep",
    "FetchedMail",
    "ImapSession",
    "ImapSettings",
    "MailServerError",
    "Position",
    "Security",
    "check_imap",
    "validate_settings",
]

logger = logging.getLogger(__name__)

imaplib.Commands.setdefault("IDLE", ("AUTH", "SELECTED"))
imaplib.Commands.setdefault("MOVE", ("SELECTED",))

PROCESSED_ACTIONS = ("seen", "move")
_STOP_CHECK = 0.25  # how often a wait looks at the stop event, in seconds
_UID_SET_CHUNK = 500  # UIDs per STORE/MOVE command, to keep command lines short


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    security: Security
    username: str
    password: str
    folder: str = "INBOX"
    processed_action: str = "seen"  # 'seen': flag \Seen; 'move': move to processed_folder
    processed_folder: str = ""
    timeout: float = 30.0
    verify_tls: bool = True
    ca_file: str = ""

    def __repr__(self) -> str:  # never the password, in logs or tracebacks
        return (
            f"ImapSettings(host={self.host!r}, port={self.port}, security={str(self.security)!r}, "
            f"folder={self.folder!r}, processed_action={self.processed_action!r})"
        )


@dataclass(frozen=True)
class Position:
    """The selected folder as the server sees it."""

    uidvalidity: int
    uidnext: int | None  # None when the server does not say
    exists: int


@dataclass(frozen=True, slots=True)
class FetchedMail:
    uid: int
    raw: bytes  # the message exactly as the server holds it (RFC 822)
    internal_date: datetime | None  # when the server received it


def validate_settings(settings: ImapSettings) -> list[str]:
    """Problems with the settings, as sentences for a form (empty when fine)."""
    problems = common_problems(
        settings.host, settings.port, settings.security, settings.timeout, settings.verify_tls, settings.ca_file
    )
    if not settings.username:
        problems.append(_("Enter the mailbox user name."))
    if not settings.password:
        problems.append(_("Enter the mailbox password."))
    if not settings.folder.strip():
        problems.append(_("Enter the folder to read (usually INBOX)."))
    if settings.processed_action not in PROCESSED_ACTIONS:
        problems.append(_("Choose what to do with processed mail: mark it read or move it to a folder."))
    if settings.processed_action == "move":
        if not settings.processed_folder.strip():
            problems.append(_("Enter the folder processed mail is moved to."))
        elif settings.processed_folder == settings.folder:
            problems.append(_("Processed mail must go to a folder other than the one being read."))
    return problems


# ---------------------------------------------------------------------------
# Connection


class _Tracker:
    """Which step a connection attempt is at, so a failure names it."""

    def __init__(self) -> None:
        self.step = "connect"


class _Imap4(imaplib.IMAP4):
    def __init__(self, host: str, port: int, timeout: float, tracker: _Tracker) -> None:
        self._tracker = tracker
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout: float | None) -> Any:
        self._tracker.step = "connect"
        sock = super()._create_socket(timeout)  # type: ignore[misc]
        self._tracker.step = "greeting"
        return sock


class _Imap4Ssl(imaplib.IMAP4_SSL):
    def __init__(self, host: str, port: int, timeout: float, context: ssl.SSLContext, tracker: _Tracker) -> None:
        self._tracker = tracker
        super().__init__(host, port, ssl_context=context, timeout=timeout)

    def _create_socket(self, timeout: float | None) -> Any:
        self._tracker.step = "connect"
        sock = imaplib.IMAP4._create_socket(self, timeout)  # type: ignore[attr-defined]
        self._tracker.step = "tls"
        try:
            wrapped = self.ssl_context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self._tracker.step = "greeting"
        return wrapped


class _Box(BaseMailBox):
    """imap-tools' mailbox around a client this module connected itself."""

    def __init__(self, client: imaplib.IMAP4) -> None:
        self._prepared = client
        super().__init__()

    def _get_mailbox_client(self) -> imaplib.IMAP4:
        return self._prepared


def _text(data: Any) -> str:
    """A server's response text, for messages."""
    if isinstance(data, list | tuple):
        data = b" ".join(x if isinstance(x, bytes) else str(x).encode() for x in data if x is not None)
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    return str(data).strip()[:300]


_MONTHS = {
    m: i
    for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], start=1)
}
_INTERNALDATE = re.compile(rb'INTERNALDATE "\s?(\d{1,2})-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([-+])(\d\d)(\d\d)"')
_UID = re.compile(rb"\bUID (\d+)")


def _internal_date(meta: bytes) -> datetime | None:
    match = _INTERNALDATE.search(meta)
    if not match:
        return None
    day, month, year, hour, minute, second, sign, tz_h, tz_m = match.groups()
    offset = timedelta(hours=int(tz_h), minutes=int(tz_m))
    try:
        return datetime(
            int(year),
            _MONTHS[month.decode().title()],
            int(day),
            int(hour),
            int(minute),
            int(second),
            tzinfo=timezone(-offset if sign == b"-" else offset),
        )
    except (KeyError, ValueError):
        return None


def _number(responses: dict[str, Any], key: str) -> int | None:
    """The last number the server sent for ``key`` (UIDVALIDITY, EXISTS …)."""
    values = responses.get(key)
    return int(values[-1]) if values else None


def uid_set(uids: Sequence[int]) -> str:
    """``[1, 2, 3, 7, 9, 10]`` → ``"1:3,7,9:10"``: short command lines for long runs."""
    ordered = sorted(set(uids))
    parts: list[str] = []
    start = prev = ordered[0]
    for uid in ordered[1:]:
        if uid == prev + 1:
            prev = uid
            continue
        parts.append(f"{start}:{prev}" if prev != start else str(start))
        start = prev = uid
    parts.append(f"{start}:{prev}" if prev != start else str(start))
    return ",".join(parts)


class ImapSession:
    """One connection to one mailbox: connect, TLS, log in on enter; log out on exit.

    Every failure is a ``MailServerError`` naming the step. After an error that broke
    the connection (``broken``), the session is useless: open a new one."""

    def __init__(self, settings: ImapSettings) -> None:
        self.settings = settings
        self.steps: list[CheckStep] = []  # what went well so far, for the connection test
        self.capabilities: tuple[str, ...] = ()
        self.broken = False
        self._client: imaplib.IMAP4 | None = None
        self._selected: str | None = None

    # -- lifecycle ---------------------------------------------------------

    def __enter__(self) -> Self:
        problems = validate_settings(self.settings)
        if problems:
            raise MailServerError("settings", problems[0], temporary=False)
        try:
            self._open()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._close(logout=exc is None or not self.broken)

    def _open(self) -> None:
        s = self.settings
        tracker = _Tracker()
        verified = s.verify_tls
        try:
            if s.security is Security.SSL:
                context = tls_context(s.verify_tls, s.ca_file)
                client: imaplib.IMAP4 = _Imap4Ssl(s.host, s.port, s.timeout, context, tracker)
            else:
                client = _Imap4(s.host, s.port, s.timeout, tracker)
        except MailServerError:
            raise
        except imaplib.IMAP4.error as exc:
            raise MailServerError(
                "greeting",
                _("%(host)s did not greet like an IMAP server: %(reply)s") % {"host": s.host, "reply": _text(str(exc))},
            ) from None
        except (OSError, EOFError) as exc:
            raise network_error(exc, host=s.host, port=s.port, step=tracker.step, timeout=s.timeout) from None
        self._client = client
        self.steps.append(CheckStep("connect", _("Connected to %(host)s, port %(port)s.") % self._where()))
        if s.security is Security.SSL:
            self.steps.append(CheckStep("tls", tls_detail(client.sock, verified, s.host)))
        elif s.security is Security.STARTTLS:
            self._starttls(client)
        self._login(client)

    def _where(self) -> dict[str, object]:
        return {"host": self.settings.host, "port": self.settings.port}

    def _starttls(self, client: imaplib.IMAP4) -> None:
        s = self.settings
        if "STARTTLS" not in client.capabilities:
            raise MailServerError(
                "tls",
                _(
                    "%(host)s does not offer STARTTLS on port %(port)s: choose SSL/TLS (usually port 993) "
                    "or check the port."
                )
                % self._where(),
                temporary=False,
            )
        context = tls_context(s.verify_tls, s.ca_file)
        try:
            client.starttls(context)
        except imaplib.IMAP4.error as exc:
            raise MailServerError(
                "tls", _("The server refused STARTTLS: %(reply)s") % {"reply": _text(str(exc))}
            ) from None
        except (OSError, EOFError) as exc:
            self.broken = True
            raise network_error(exc, host=s.host, port=s.port, step="tls", timeout=s.timeout) from None
        self.steps.append(CheckStep("tls", tls_detail(client.sock, s.verify_tls, s.host)))

    def _login(self, client: imaplib.IMAP4) -> None:
        s = self.settings
        if "LOGINDISABLED" in client.capabilities:
            raise MailServerError(
                "auth",
                _("The server does not accept passwords on this connection (LOGINDISABLED): use SSL/TLS or STARTTLS."),
                temporary=False,
            )
        box = _Box(client)
        try:
            if (s.username + s.password).isascii():
                box.login(s.username, s.password, initial_folder=None)
            else:
                box.login_utf8(s.username, s.password, initial_folder=None)
        except MailboxLoginError as exc:
            raise MailServerError(
                "auth",
                _("The server refused the user name or password: %(reply)s") % {"reply": _text(exc.command_result[1])},
                temporary=False,
            ) from None
        except imaplib.IMAP4.error as exc:
            raise self._protocol_error(exc, "auth") from None
        except (OSError, EOFError) as exc:
            raise self._network_error(exc, "auth") from None
        self.capabilities = self._ask_capabilities(client)
        self.steps.append(CheckStep("auth", _("Logged in as %(user)s.") % {"user": s.username}))

    def _ask_capabilities(self, client: imaplib.IMAP4) -> tuple[str, ...]:
        """What the server offers after login (it often differs from before)."""
        typ, data = self._call("protocol", client.capability)
        if typ == "OK" and data and data[-1]:
            return tuple(_text(data[-1]).upper().split())
        return tuple(client.capabilities)

    def _close(self, *, logout: bool = True) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        if logout and not self.broken:
            with contextlib.suppress(imaplib.IMAP4.error, OSError, EOFError):
                client.logout()
        with contextlib.suppress(OSError, AttributeError, ValueError):
            client.shutdown()

    # -- errors ------------------------------------------------------------

    def _network_error(self, exc: BaseException, step: str) -> MailServerError:
        self.broken = True
        s = self.settings
        return network_error(exc, host=s.host, port=s.port, step=step, timeout=s.timeout)

    def _protocol_error(self, exc: BaseException, step: str) -> MailServerError:
        if isinstance(exc, imaplib.IMAP4.abort):
            self.broken = True
            return MailServerError(
                "connect" if step != "protocol" else "protocol",
                _("The server closed the connection while %(step)s: %(reply)s")
                % {"step": step_label(step), "reply": _text(str(exc))},
            )
        return MailServerError(
            step,
            _("The server answered with an error while %(step)s: %(reply)s")
            % {"step": step_label(step), "reply": _text(str(exc))},
        )

    def _call(self, step: str, command: Callable[..., Any], *args: Any) -> Any:
        """Run one imaplib/imap-tools command; turn its failures into ``MailServerError``."""
        if self._client is None or self.broken:
            raise MailServerError("protocol", _("The connection to the mail server is closed."))
        try:
            return command(*args)
        except MailServerError:
            raise
        except UnexpectedCommandStatusError as exc:
            raise MailServerError(
                step,
                _("The server answered with an error while %(step)s: %(reply)s")
                % {"step": step_label(step), "reply": _text(exc.command_result[1])},
            ) from None
        except imaplib.IMAP4.error as exc:
            raise self._protocol_error(exc, step) from None
        except (OSError, EOFError) as exc:
            raise self._network_error(exc, step) from None

    @property
    def client(self) -> imaplib.IMAP4:
        if self._client is None:
            raise MailServerError("protocol", _("The connection to the mail server is closed."))
        return self._client

    @property
    def idle_supported(self) -> bool:
        return "IDLE" in self.capabilities

    # -- folders -----------------------------------------------------------

    def select(self, folder: str | None = None) -> Position:
        """Open the folder for reading and writing; where it stands now."""
        name = folder or self.settings.folder
        client = self.client
        self._call("folder", self._box_select, name)
        responses = client.untagged_responses
        try:
            uidvalidity = _number(responses, "UIDVALIDITY") or 0
            uidnext = _number(responses, "UIDNEXT")
            exists = _number(responses, "EXISTS") or 0
        except (TypeError, ValueError):
            raise MailServerError(
                "protocol", _("The server's answer to opening the folder cannot be understood.")
            ) from None
        responses.clear()
        if not uidvalidity:
            raise MailServerError("protocol", _("The server does not give UIDs for this folder (no UIDVALIDITY)."))
        self._selected = name
        return Position(uidvalidity=uidvalidity, uidnext=uidnext, exists=exists)

    def _box_select(self, name: str) -> None:
        client = self.client
        try:
            typ, data = client.select(encode_folder(name))  # type: ignore[arg-type]  # bytes: quoted, UTF-7
        except imaplib.IMAP4.readonly:
            raise MailServerError(
                "folder",
                _("The folder %(folder)s can only be read, not changed, by this user.") % {"folder": name},
                temporary=False,
            ) from None
        if typ != "OK":
            raise MailServerError(
                "folder",
                _("The folder %(folder)s cannot be opened: %(reply)s") % {"folder": name, "reply": _text(data)},
                temporary=False,
            )

    def folder_exists(self, name: str) -> int:
        """How many messages the folder holds; ``MailServerError('folder')`` if it is missing."""
        typ, data = self._call("folder", self.client.status, encode_folder(name), "(MESSAGES)")
        if typ != "OK":
            raise MailServerError(
                "folder",
                _("The folder %(folder)s cannot be used: %(reply)s") % {"folder": name, "reply": _text(data)},
                temporary=False,
            )
        match = re.search(rb"MESSAGES (\d+)", data[0] or b"")
        return int(match.group(1)) if match else 0

    # -- fetching ----------------------------------------------------------

    def new_uids(self, last_uid: int) -> list[int]:
        """UIDs above ``last_uid`` in the selected folder, ascending."""
        client = self.client
        self._forget_news()
        typ, data = self._call("protocol", client.uid, "SEARCH", f"UID {last_uid + 1}:*")
        if typ != "OK":
            raise MailServerError(
                "protocol", _("The server refused to list new messages: %(reply)s") % {"reply": _text(data)}
            )
        # "n:*" also matches the highest UID when it is below n: keep only the new ones.
        return sorted(uid for uid in (int(x) for x in (data[0] or b"").split()) if uid > last_uid)

    def left_unmarked(self, last_uid: int) -> list[int]:
        """UIDs up to ``last_uid`` (stored already) that were never marked processed:
        a crash between the store's commit and the marking leaves them so."""
        if last_uid < 1:
            return []
        criteria = f"UID 1:{last_uid}" if self.settings.processed_action == "move" else f"UNSEEN UID 1:{last_uid}"
        typ, data = self._call("protocol", self.client.uid, "SEARCH", criteria)
        if typ != "OK":
            return []
        return sorted(uid for uid in (int(x) for x in (data[0] or b"").split()) if uid <= last_uid)

    def fetch(self, uids: Sequence[int], *, batch: int = 200) -> Iterator[list[FetchedMail]]:
        """The messages with these UIDs, in UID order, ``batch`` per round trip. Uses
        BODY.PEEK so fetching sets no \\Seen flag; a message deleted meanwhile is skipped."""
        for chunk in batched(sorted(uids), max(1, batch)):
            mails = self._fetch_chunk(chunk)
            if mails:
                yield mails

    def fetch_after(self, last_uid: int, *, batch: int = 200) -> Iterator[list[FetchedMail]]:
        """Every message with a UID above ``last_uid``, in UID order, in batches."""
        uids = self.new_uids(last_uid)
        yield from self.fetch(uids, batch=batch)

    def _fetch_chunk(self, chunk: Sequence[int]) -> list[FetchedMail]:
        client = self.client
        typ, data = self._call("protocol", client.uid, "FETCH", uid_set(chunk), "(UID INTERNALDATE BODY.PEEK[])")
        if typ != "OK":
            raise MailServerError(
                "protocol", _("The server refused to hand over messages: %(reply)s") % {"reply": _text(data)}
            )
        wanted = set(chunk)
        found: dict[int, FetchedMail] = {}
        pending: tuple[bytes, bytes] | None = None

        def finish(meta: bytes, body: bytes) -> None:
            match = _UID.search(meta)
            if match and int(match.group(1)) in wanted:
                uid = int(match.group(1))
                found[uid] = FetchedMail(uid=uid, raw=body, internal_date=_internal_date(meta))

        for item in data:
            if isinstance(item, tuple):
                if pending is not None:
                    finish(*pending)
                pending = (item[0], item[1])
            elif pending is not None and isinstance(item, bytes):
                # The rest of the response after the literal (may hold UID or INTERNALDATE).
                finish(pending[0] + b" " + item, pending[1])
                pending = None
            # Anything else is an unsolicited FETCH (a flag change elsewhere): not ours.
        if pending is not None:
            finish(*pending)
        return [found[uid] for uid in sorted(found)]

    # -- marking -----------------------------------------------------------

    def mark_processed(self, uids: Sequence[int]) -> None:
        """Tell the mailbox these messages are taken: \\Seen, or moved to the processed
        folder (MOVE; COPY + \\Deleted + UID EXPUNGE where the server lacks MOVE)."""
        if not uids:
            return
        client = self.client
        s = self.settings
        for chunk in batched(sorted(set(uids)), _UID_SET_CHUNK):
            uid_list = uid_set(chunk)
            if s.processed_action == "move":
                target = encode_folder(s.processed_folder)
                if "MOVE" in self.capabilities:
                    self._ok("folder", client.uid, "MOVE", uid_list, target)
                else:
                    self._ok("folder", client.uid, "COPY", uid_list, target)
                    self._ok("protocol", client.uid, "STORE", uid_list, "+FLAGS.SILENT", r"(\Deleted)")
                    if "UIDPLUS" in self.capabilities:
                        self._ok("protocol", client.uid, "EXPUNGE", uid_list)
                    else:  # without UIDPLUS EXPUNGE also removes others' \Deleted mail: as they asked
                        self._ok("protocol", client.expunge)
            else:
                self._ok("protocol", client.uid, "STORE", uid_list, "+FLAGS.SILENT", r"(\Seen)")

    def _ok(self, step: str, command: Callable[..., Any], *args: Any) -> Any:
        typ, data = self._call(step, command, *args)
        if typ != "OK":
            raise MailServerError(
                step,
                _("The server answered with an error while %(step)s: %(reply)s")
                % {"step": step_label(step), "reply": _text(data)},
            )
        return data

    # -- waiting -----------------------------------------------------------

    def wait_for_news(self, timeout: float, *, stop: threading.Event | None = None) -> bool:
        """Wait up to ``timeout`` seconds for the server to say the folder changed (IDLE),
        or, where it cannot, sleep and ask (NOOP). True when new mail may have arrived;
        returns early (False) when ``stop`` is set."""
        if self._news_seen():
            return True
        if self.idle_supported:
            return self._idle(timeout, stop)
        if stop is not None:
            if stop.wait(timeout):
                return False
        else:
            time.sleep(timeout)
        self._ok("protocol", self.client.noop)
        return self._news_seen()

    def _forget_news(self) -> None:
        self._check_bye()
        self.client.untagged_responses.clear()

    def _news_seen(self) -> bool:
        """Whether the server reported new mail (EXISTS/RECENT) since the last search;
        forgets what it has read, so the responses do not pile up for days."""
        self._check_bye()
        responses = self.client.untagged_responses
        news = "EXISTS" in responses or "RECENT" in responses
        responses.clear()
        return news

    def _check_bye(self) -> None:
        bye = self.client.untagged_responses.get("BYE")
        if bye:
            self.broken = True
            raise MailServerError(
                "connect", _("The server closed the connection: %(reply)s") % {"reply": _text(bye[-1])}
            )

    def _idle(self, timeout: float, stop: threading.Event | None) -> bool:
        client: Any = self.client  # imaplib's internals: it has no IDLE of its own before 3.14
        try:
            tag = client._command("IDLE")
            while client._get_response() is not None:
                if client.tagged_commands.get(tag):
                    # Offered but refused (some servers, some states): poll from now on.
                    client.tagged_commands.pop(tag)
                    logger.warning("mail listener: the server refused IDLE, polling instead")
                    self.capabilities = tuple(c for c in self.capabilities if c != "IDLE")
                    return self._news_seen()
                self._check_bye()
            news = self._news_seen()
            deadline = time.monotonic() + timeout
            while not news:
                if stop is not None and stop.is_set():
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                if not self._readable(min(remaining, _STOP_CHECK) if stop is not None else remaining):
                    continue
                client._get_response()
                news = self._news_seen()
            client.send(b"DONE\r\n")
            typ, data = client._get_tagged_response(tag)
            if typ != "OK":
                raise MailServerError(
                    "protocol", _("The server did not end IDLE properly: %(reply)s") % {"reply": _text(data)}
                )
            return self._news_seen() or news
        except MailServerError:
            self.broken = True
            raise
        except imaplib.IMAP4.error as exc:
            self.broken = True
            raise self._protocol_error(exc, "protocol") from None
        except (OSError, EOFError) as exc:
            raise self._network_error(exc, "protocol") from None

    def _readable(self, timeout: float) -> bool:
        """Whether a response is waiting, looking first at what imaplib (and TLS) have
        already buffered: data read ahead there never wakes up ``select``."""
        client = self.client
        sock = client.sock
        file: Any = client.file
        previous = sock.gettimeout()
        sock.settimeout(0)
        try:
            if file.peek(1):
                return True
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            pass
        finally:
            sock.settimeout(previous)
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
            return bool(poller.poll(timeout * 1000))
        readable, _w, _x = select.select([sock], [], [], timeout)  # pragma: no cover - no poll()
        return bool(readable)


# ---------------------------------------------------------------------------
# Test connection


def check_imap(settings: ImapSettings) -> CheckReport:
    """Connect, secure, log in and open the folder (and the processed folder when mail
    is moved there), without touching any message; report what was found, or which
    step failed and why."""
    session = ImapSession(settings)
    try:
        with session:
            position = session.select()
            session.steps.append(
                CheckStep(
                    "folder",
                    _("Folder %(folder)s opened: %(count)s messages.")
                    % {"folder": settings.folder, "count": position.exists},
                )
            )
            if settings.processed_action == "move":
                count = session.folder_exists(settings.processed_folder)
                session.steps.append(
                    CheckStep(
                        "folder",
                        _("Processed mail will be moved to %(folder)s (%(count)s messages there now).")
                        % {"folder": settings.processed_folder, "count": count},
                    )
                )
            return CheckReport(
                steps=tuple(session.steps),
                capabilities=session.capabilities,
                idle=session.idle_supported,
                messages=position.exists,
            )
    except MailServerError as exc:
        return CheckReport(
            steps=tuple(session.steps),
            error=exc,
            capabilities=session.capabilities,
            idle=session.idle_supported if session.capabilities else None,
        )
