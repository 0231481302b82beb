"""Notifications: creating them (per each person's preferences), telling open pages
the unread count, reading and marking them, and the preferences themselves. The
UI, the API and other apps' services call these.

Writing rows set-based (the deadline sweep)
-------------------------------------------
``insert_selected(kind, select_sql, params)`` wraps the caller's SELECT in one
``INSERT … SELECT`` that applies the preferences, then the caller passes the
returned user ids to ``announce``. To write the rows yourself instead, the table is
``notifications_notification``:

- ``user_id`` (required), ``kind`` (required, a ``NotificationKind`` value),
  ``appeal_id`` (nullable), ``params`` (JSON object; no personal data);
- ``created_at``: database default now;
- ``read_at``: NULL for the bell; set it (to now) for people who want this kind by
  e-mail only;
- ``email_state``: database default ``''`` = "e-mail not yet decided", which the
  mailer picks up; write ``'skipped'`` for people who do not want it by e-mail;
- ``email_attempts`` (default 0), ``emailed_at``, ``email_retry_at`` (NULL): the
  mailer's.

People who want a kind neither way get no row. Preferences live in
``notifications_notificationpreference`` (``user_id``, ``kind``, ``in_app``,
``by_email``); no row means ``default_preference(kind)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.core import fastsql
from okno.core.errors import InvalidInput
from okno.live import publish
from okno.notifications.choices import EmailState, NotificationKind, default_preference
from okno.notifications.models import Notification, NotificationPreference

LIVE_EVENT = "notifications"
MAX_LIST = 200
# User ids per live message: PostgreSQL's NOTIFY payload is at most 8000 bytes.
ANNOUNCE_CHUNK = 500

Preference = tuple[bool, bool]  # (in_app, by_email)

__all__ = [
    "announce",
    "default_preference",
    "insert_selected",
    "list_for",
    "mark_all_read",
    "mark_read",
    "notify",
    "open_notification",
    "preferences",
    "prune",
    "send_pending_emails",
    "set_preference",
    "set_preferences",
    "unread_count",
    "wanted",
]


def _kind(kind: str) -> NotificationKind:
    try:
        return NotificationKind(kind)
    except ValueError:
        raise InvalidInput(_("Unknown notification kind."), field="kind") from None


def _ids(values: Iterable[int | None]) -> list[int]:
    return sorted({int(v) for v in values if v is not None})


# --- preferences ---------------------------------------------------------------------


def preferences(user: User) -> dict[str, Preference]:
    """Every kind with the user's choice: ``{kind: (in_app, by_email)}``."""
    chosen = {
        kind: (in_app, by_email)
        for kind, in_app, by_email in NotificationPreference.objects.filter(user=user).values_list(
            "kind", "in_app", "by_email"
        )
    }
    return {kind: chosen.get(kind, default_preference(kind)) for kind in NotificationKind.values}


@transaction.atomic
def set_preference(user: User, kind: str, in_app: bool, by_email: bool) -> Preference:
    """Remember how ``user`` wants ``kind``. Choosing neither way is allowed: that
    kind is then not recorded for them at all."""
    kind = _kind(kind)
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"in_app": bool(in_app), "by_email": bool(by_email)}
    )
    return bool(in_app), bool(by_email)


@transaction.atomic
def set_preferences(user: User, chosen: Mapping[str, Preference]) -> dict[str, Preference]:
    """Several kinds at once (the settings table, the API); all or nothing.
    Returns every kind with the user's choice."""
    for kind, (in_app, by_email) in chosen.items():
        set_preference(user, kind, in_app, by_email)
    return preferences(user)


def wanted(kind: str, user_ids: Iterable[int]) -> dict[int, Preference]:
    """The preferences of these users for ``kind`` (one query; defaults filled in)."""
    ids = _ids(user_ids)
    default = default_preference(kind)
    found = {
        user_id: (in_app, by_email)
        for user_id, in_app, by_email in NotificationPreference.objects.filter(kind=kind, user_id__in=ids).values_list(
            "user_id", "in_app", "by_email"
        )
    }
    return {user_id: found.get(user_id, default) for user_id in ids}


# --- creating ------------------------------------------------------------------------


def notify(
    kind: str,
    user_ids: Iterable[int],
    *,
    appeal_id: int | None = None,
    params: dict[str, Any] | None = None,
) -> int:
    """Record ``kind`` for each active user in ``user_ids`` who wants it in the app or
    by e-mail, and push the new unread counts to their open pages. Returns how many
    rows were created.

    Runs in the caller's transaction (no savepoint): the rows and the live message
    exist only if it commits. Rows for people who want this kind by e-mail only are
    created already read; rows for people who do not want e-mail are created with
    e-mail "skipped", so the mailer never looks at them.
    """
    kind = _kind(kind)
    ids = _ids(user_ids)
    if not ids:
        return 0
    with transaction.atomic(savepoint=False):
        active = set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
        now = timezone.now()
        rows: list[Notification] = []
        for user_id, (in_app, by_email) in wanted(kind, active).items():
            if not (in_app or by_email):
                continue
            rows.append(
                Notification(
                    user_id=user_id,
                    kind=kind,
                    appeal_id=appeal_id,
                    params=params or {},
                    created_at=now,
                    read_at=None if in_app else now,
                    email_state=EmailState.PENDING if by_email else EmailState.SKIPPED,
                )
            )
        if rows:
            Notification.objects.bulk_create(rows)
            announce(row.user_id for row in rows if row.read_at is None)
    return len(rows)


def insert_selected(
    kind: str, select_sql: str, params: Sequence[Any] = (), *, created_at: datetime | None = None
) -> list[int]:
    """Create notifications for every row of the caller's query, in one statement,
    honouring preferences (see the module docstring). Returns the ids of the users
    who got an unread row: pass them to ``announce``.

    ``select_sql`` (with ``%s`` placeholders for ``params``) yields the columns
    ``user_id``, ``appeal_id`` (may be NULL) and ``params`` (JSON: ``json_object(…)``
    on SQLite, ``json_build_object(…)`` on PostgreSQL, or a JSON string). Inactive
    users are left out. Call it inside the transaction that decided to notify.
    """
    kind = _kind(kind)
    in_app_default, by_email_default = default_preference(kind)
    now = connection.ops.adapt_datetimefield_value(created_at or timezone.now())
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        appeal_value, json_value = "CAST(s.appeal_id AS bigint)", "CAST(s.params AS jsonb)"
    else:
        appeal_value, json_value = "s.appeal_id", "json(s.params)"
    sql = (
        f"INSERT INTO {quote(Notification._meta.db_table)} "  # noqa: S608 - names from the models, values bound
        "(user_id, kind, appeal_id, params, created_at, read_at, email_state, email_attempts) "
        f"SELECT s.user_id, %s, {appeal_value}, {json_value}, %s, "
        "CASE WHEN COALESCE(p.in_app, %s) THEN NULL ELSE %s END, "
        "CASE WHEN COALESCE(p.by_email, %s) THEN '' ELSE 'skipped' END, 0 "
        f"FROM ({select_sql}) AS s "
        f"JOIN {quote(User._meta.db_table)} AS u ON u.id = s.user_id AND u.is_active "
        f"LEFT JOIN {quote(NotificationPreference._meta.db_table)} AS p ON p.user_id = s.user_id AND p.kind = %s "
        "WHERE COALESCE(p.in_app, %s) OR COALESCE(p.by_email, %s) "
        "RETURNING user_id, read_at"
    )
    values = [
        kind.value,
        now,
        in_app_default,
        now,
        by_email_default,
        *params,
        kind.value,
        in_app_default,
        by_email_default,
    ]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, values)
        return sorted({user_id for user_id, read_at in cursor.fetchall() if read_at is None})


def announce(user_ids: Iterable[int]) -> None:
    """Push each user's unread count to their open pages (the bell). One query for
    the counts, one live message per distinct count (to at most 500 users each),
    private to those users. Call it in the transaction that changed the rows."""
    ids = _ids(user_ids)
    if not ids:
        return
    counts = dict.fromkeys(ids, 0)
    for start in range(0, len(ids), 10_000):  # keep the IN list within SQLite's limits
        chunk = ids[start : start + 10_000]
        # Fixed SQL: every automatic assignment announces, and the ORM would compile this each time.
        sql = (
            "SELECT user_id, COUNT(*) FROM notifications_notification"  # noqa: S608 - placeholders only
            f" WHERE user_id IN ({fastsql.placeholders(chunk)}) AND read_at IS NULL GROUP BY user_id"
        )
        counts.update(dict(fastsql.select(sql, chunk, [None, None])))
    by_count: dict[int, list[int]] = defaultdict(list)
    for user_id, n in counts.items():
        by_count[n].append(user_id)
    for n, users in sorted(by_count.items()):
        for start in range(0, len(users), ANNOUNCE_CHUNK):
            publish([LIVE_EVENT], {"unread": n}, user_ids=users[start : start + ANNOUNCE_CHUNK], private=True)


# --- reading ---------------------------------------------------------------------------


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def list_for(
    user: User, *, unread_only: bool = False, limit: int = 20, before: int | None = None
) -> list[Notification]:
    """The user's notifications, newest first, with their appeals (number and subject
    only). ``before`` is the id of the last one already shown: the next page starts
    after it. Someone else's id (or an unknown one) is refused as bad input."""
    limit = max(1, min(int(limit), MAX_LIST))
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    if before is not None:
        cursor = Notification.objects.filter(user=user, pk=before).values_list("created_at", flat=True).first()
        if cursor is None:
            raise InvalidInput(_("No such notification to page from."), field="before")
        qs = qs.filter(Q(created_at__lt=cursor) | Q(created_at=cursor, pk__lt=before))
    qs = qs.select_related("appeal").only(
        "id",
        "user_id",
        "kind",
        "params",
        "created_at",
        "read_at",
        "appeal_id",
        "appeal__number",
        "appeal__subject",
        "appeal__queue_id",
        "appeal__assignee_id",
    )
    return list(qs.order_by("-created_at", "-id")[:limit])


# --- marking read ------------------------------------------------------------------------


@transaction.atomic
def mark_read(user: User, ids: Iterable[int]) -> int:
    """Mark these of the user's notifications read (others' ids are ignored) and
    update the bell on the user's open pages. Returns how many changed."""
    wanted_ids = _ids(ids)[: MAX_LIST * 5]
    if not wanted_ids:
        return 0
    changed = Notification.objects.filter(user=user, pk__in=wanted_ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        announce([user.pk])
    return changed


@transaction.atomic
def mark_all_read(user: User) -> int:
    changed = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    if changed:
        announce([user.pk])
    return changed


def open_notification(user: User, notification_id: int) -> Notification | None:
    """The user's notification, marked read (following it is reading it); ``None``
    if it is not theirs."""
    notification = Notification.objects.select_related("appeal").filter(user=user, pk=notification_id).first()
    if notification is not None and notification.read_at is None:
        mark_read(user, [notification.pk])
    return notification


# --- e-mail ------------------------------------------------------------------------------


def send_pending_emails(limit: int = 500) -> dict[str, int]:
    """Send the e-mails that are due (see ``okno.notifications.mailer``)."""
    from okno.notifications import mailer

    return mailer.send_pending_emails(limit)


# --- keeping the table small ----------------------------------------------------------


def prune(keep_days: int | None = None, *, batch: int = 5000) -> int:
    """Delete notifications older than ``keep_days`` (``OKNO_NOTIFICATIONS_KEEP_DAYS``,
    default 90) that are read and whose e-mail is decided. Unread ones stay however
    old: nobody has seen them yet. Deletes in short batches so writers are never
    held up for long. Returns how many went."""
    days = settings.NOTIFICATIONS_KEEP_DAYS if keep_days is None else keep_days
    cutoff = timezone.now() - timedelta(days=days)
    old = Notification.objects.filter(created_at__lt=cutoff, read_at__isnull=False).exclude(
        email_state__in=[EmailState.PENDING, EmailState.SENDING]
    )
    deleted = 0
    while True:
        ids = list(old.order_by().values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += Notification.objects.filter(pk__in=ids).delete()[0]
