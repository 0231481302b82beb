"""Raw first: every received mail is stored as bytes before anything can fail.

Storing reads only the few header lines that identify a mail (no MIME parsing, which
is where mail goes wrong); parsing and registering happen afterwards in the intake
task, which can fail, be retried or be killed without losing what was stored here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from okno.channels.mail.models import InboundMail, Mailbox
from okno.core import fastsql

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_IDENTIFYING = {b"message-id", b"from", b"date", b"subject"}
_ADDRESS = re.compile(rb"[\w.!#$%&'*+/=?^`{|}~-]+@[\w.-]+", re.ASCII)
_ANGLE = re.compile(rb"<([^<>\s]+)>")


@dataclass(frozen=True, slots=True)
class RawMail:
    """A mail as fetched: its bytes and, from IMAP, where it was."""

    raw: bytes
    uid: int | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class Identity:
    key: str
    message_id: str
    sender: str


def identify(raw: bytes) -> Identity:
    """What makes a mail the same mail: its Message-ID and what its sender wrote.

    The same mail fetched again, delivered to two of our mailboxes (different
    ``Received`` lines) or imported twice gets the same key. Different mails that
    share a Message-ID (broken senders reuse them, and so do test suites) do not:
    the sender's headers and the body are part of the key. Line endings are
    normalised, since servers convert them."""
    match = _HEADER_END.search(raw)
    head, body = (raw[: match.start()], raw[match.end() :]) if match else (raw, b"")
    fields: dict[bytes, bytes] = {}
    name = b""
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if name in _IDENTIFYING:
                fields[name] += b" " + line.strip()
            continue
        name, colon, value = line.partition(b":")
        name = name.strip().lower()
        if colon and name in _IDENTIFYING and name not in fields:
            fields[name] = value.strip()
        elif not colon:
            name = b""
    message_id = fields.get(b"message-id", b"")
    angle = _ANGLE.search(message_id)
    message_id = angle.group(1) if angle else message_id.strip(b"<> ")
    sender = _ADDRESS.search(fields.get(b"from", b""))
    digest = hashlib.sha256()
    for part in (message_id, fields.get(b"from", b""), fields.get(b"date", b""), fields.get(b"subject", b"")):
        digest.update(part + b"\0")
    digest.update(body.replace(b"\r\n", b"\n").rstrip(b"\n"))
    return Identity(
        key=digest.hexdigest(),
        message_id=message_id.decode("utf-8", "replace")[:998],
        sender=sender.group(0).decode("ascii", "replace").lower()[:320] if sender else "",
    )


def _rows(mailbox: Mailbox | None, uidvalidity: int | None, mails: Iterable[RawMail]) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for mail in mails:
        identity = identify(mail.raw)
        rows.append(
            {
                "mailbox": mailbox,
                "uidvalidity": uidvalidity if mail.uid is not None else None,
                "uid": mail.uid,
                "message_key": identity.key,
                "mail_id": identity.message_id,
                "sender": identity.sender,
                "raw": mail.raw,
                "size": len(mail.raw),
                "source": mail.source[:200],
                "received_at": now,
            }
        )
    return rows


@dataclass(frozen=True, slots=True)
class Stored:
    """What :func:`store` did: how many rows are new, and every mail's key in order."""

    added: int
    keys: list[str]


def store(mailbox: Mailbox | None, mails: Sequence[RawMail], *, uidvalidity: int | None = None) -> Stored:
    """Store fetched mail and, for a mailbox, its new position, in one transaction;
    then the intake task runs. Mail already stored (same UID, or the same mail) is
    skipped."""
    from okno.channels.mail.tasks import process_inbound

    rows = _rows(mailbox, uidvalidity, mails)
    with transaction.atomic():
        known = set(
            InboundMail.objects.filter(message_key__in=[r["message_key"] for r in rows]).values_list(
                "message_key", flat=True
            )
        )
        new = []
        for row in rows:
            if row["message_key"] not in known:
                known.add(str(row["message_key"]))
                new.append(row)
        # A concurrent store of the same mail (two listeners) is skipped, not an error.
        fastsql.insert_rows(InboundMail, new, ignore_conflicts=True)
        if mailbox is not None:
            _advance(mailbox, uidvalidity, [m.uid for m in mails if m.uid is not None])
        if new:
            process_inbound.enqueue()
    return Stored(added=len(new), keys=[str(r["message_key"]) for r in rows])


def _advance(mailbox: Mailbox, uidvalidity: int | None, uids: list[int]) -> None:
    """Move the mailbox's position past what was stored (a new UIDVALIDITY starts over)."""
    fields: dict[str, object] = {"last_received_at": timezone.now()}
    if uidvalidity is not None:
        fields["uidvalidity"] = uidvalidity
    if uids:
        floor = mailbox.last_uid if mailbox.uidvalidity == uidvalidity else 0
        fields["last_uid"] = max(max(uids), floor)
    Mailbox.objects.filter(pk=mailbox.pk).update(**fields)
    for name, value in fields.items():
        setattr(mailbox, name, value)
