"""What the mailbox pages and the API read: counts of received mail by outcome per
mailbox (all time and the last 24 hours), the quarantine, the latest mail of a
mailbox, and the subject of a stored mail without parsing all of it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from okno.channels.mail.choices import InboundOutcome, InboundState
from okno.channels.mail.models import InboundMail, Mailbox

# The head of a stored mail read for its subject: headers are rarely longer.
HEAD_BYTES = 16_384
RECENT = 20
DAY = timedelta(hours=24)

_FIELD_BY_OUTCOME = {
    InboundOutcome.APPEAL: "registered",
    InboundOutcome.THREADED: "threaded",
    InboundOutcome.QUARANTINED: "quarantined",
    InboundOutcome.BOUNCE: "bounced",
    InboundOutcome.AUTO_REPLY: "auto_replies",
    InboundOutcome.OWN: "own",
    "": "pending",
}


@dataclass
class MailCounts:
    """Received mail of one mailbox by what became of it (``pending``: not processed yet)."""

    received: int = 0
    registered: int = 0
    threaded: int = 0
    quarantined: int = 0
    bounced: int = 0
    auto_replies: int = 0
    own: int = 0
    pending: int = 0

    def add(self, outcome: str, n: int) -> None:
        self.received += n
        name = _FIELD_BY_OUTCOME.get(outcome, "pending")
        setattr(self, name, getattr(self, name) + n)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _grouped(queryset: QuerySet[InboundMail], mailbox_ids: list[int] | None) -> dict[int | None, MailCounts]:
    if mailbox_ids is not None:
        queryset = queryset.filter(mailbox_id__in=mailbox_ids)
    out: dict[int | None, MailCounts] = {}
    rows = queryset.order_by().values_list("mailbox_id", "outcome").annotate(n=Count("id"))
    for mailbox_id, outcome, n in rows:
        out.setdefault(mailbox_id, MailCounts()).add(outcome, n)
    return out


def counts(mailbox_ids: Iterable[int] | None = None) -> dict[int | None, MailCounts]:
    """All mail ever received, per mailbox id (``None``: imported from files).
    Grouped on the (mailbox, outcome) index alone."""
    ids = list(mailbox_ids) if mailbox_ids is not None else None
    return _grouped(InboundMail.objects.all(), ids)


def _first_id_since(since: datetime) -> int:
    """The id from which mail is younger than ``since``. Ids grow with time, so this
    walks back from the newest row only over the recent ones (no index on time needed)."""
    older = InboundMail.objects.filter(received_at__lt=since).order_by("-id").values_list("id", flat=True).first()
    return (older or 0) + 1


def counts_since(since: datetime, mailbox_ids: Iterable[int] | None = None) -> dict[int | None, MailCounts]:
    """Mail received since ``since``, per mailbox id."""
    ids = list(mailbox_ids) if mailbox_ids is not None else None
    recent = InboundMail.objects.filter(id__gte=_first_id_since(since), received_at__gte=since)
    return _grouped(recent, ids)


def last_day(mailbox_ids: Iterable[int] | None = None, *, now: datetime | None = None) -> dict[int | None, MailCounts]:
    return counts_since((now or timezone.now()) - DAY, mailbox_ids)


@dataclass
class MailboxRow:
    """A mailbox on the list page: its settings, state and counts."""

    mailbox: Mailbox
    total: MailCounts
    day: MailCounts


def mailbox_rows() -> list[MailboxRow]:
    mailboxes = list(Mailbox.objects.select_related("queue", "kind", "acknowledgement_template").order_by("name"))
    ids = [m.pk for m in mailboxes]
    total, day = counts(ids), last_day(ids)
    return [MailboxRow(m, total.get(m.pk, MailCounts()), day.get(m.pk, MailCounts())) for m in mailboxes]


def mailbox_status(mailbox: Mailbox) -> dict[str, Any]:
    """State and counts of one mailbox (the supervision page and the API)."""
    return {
        "state": mailbox.state,
        "state_label": mailbox.get_state_display(),
        "state_detail": mailbox.state_detail,
        "state_changed_at": mailbox.state_changed_at,
        "last_received_at": mailbox.last_received_at,
        "is_active": mailbox.is_active,
        "counts": counts([mailbox.pk]).get(mailbox.pk, MailCounts()),
        "last_24h": last_day([mailbox.pk]).get(mailbox.pk, MailCounts()),
    }


def with_head(queryset: QuerySet[InboundMail]) -> QuerySet[InboundMail]:
    """Rows without their raw bytes, but with the first ``HEAD_BYTES`` of them (``head``)."""
    return queryset.defer("raw").annotate(head=Substr("raw", 1, HEAD_BYTES))


def recent(mailbox: Mailbox, limit: int = RECENT) -> list[InboundMail]:
    """The latest mail a mailbox received, newest first, with its appeal and ``subject``."""
    rows = list(with_head(InboundMail.objects.filter(mailbox=mailbox)).select_related("appeal").order_by("-id")[:limit])
    for row in rows:
        row.subject = subject_of(row.head)  # type: ignore[attr-defined]
    return rows


def quarantine(mailbox_id: int | None = None) -> QuerySet[InboundMail]:
    """Quarantined mail, newest first (on the (state, id) index); ``head`` for the subject."""
    queryset = InboundMail.objects.filter(state=InboundState.QUARANTINED)
    if mailbox_id is not None:
        queryset = queryset.filter(mailbox_id=mailbox_id)
    return with_head(queryset).select_related("mailbox").order_by("-id")


def with_subjects(rows: Iterable[InboundMail]) -> list[InboundMail]:
    out = list(rows)
    for row in out:
        row.subject = subject_of(getattr(row, "head", None) or b"")  # type: ignore[attr-defined]
    return out


_HEADER_END = re.compile(rb"\r?\n\r?\n")


def _header(head: bytes, name: bytes) -> bytes | None:
    """The raw (folded lines joined) value of the first ``name`` header in ``head``."""
    match = _HEADER_END.search(head)
    block = head[: match.start()] if match else head
    value: list[bytes] | None = None
    for line in block.replace(b"\r\n", b"\n").split(b"\n"):
        if value is not None:
            if line[:1] in (b" ", b"\t"):
                value.append(line)
                continue
            break
        field, colon, rest = line.partition(b":")
        if colon and field.strip().lower() == name:
            value = [rest]
    return b"".join(value) if value is not None else None


def subject_of(head: bytes | memoryview) -> str:
    """The decoded Subject of a stored mail from its first bytes: encoded words, raw
    8-bit and broken charsets read by the parser's header decoding."""
    from okno.channels.mail.decoding import decode_header

    raw = _header(bytes(head), b"subject")
    if raw is None:
        return ""
    try:
        return decode_header(raw.decode("ascii", "surrogateescape"), [])
    except Exception:  # noqa: BLE001 - a header the decoder cannot read is shown as it is
        return raw.decode("utf-8", "replace").strip()
