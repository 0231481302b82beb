"""Saved reports and their delivery by e-mail.

A saved report is a report code and its filters under a name. It may be mailed as
an XLSX attachment to a list of addresses daily, weekly (on a weekday) or monthly
(on a day; the 31st means the month's last day), at an hour of the installation's
time zone. The report is built as its owner sees the appeals at the moment of
sending; a preset period ("last month") is taken relative to that day.

The periodic job (``tasks.send_saved_reports``) sends what is due. Each attempt is
recorded (``DeliveryRun``). A failed one leaves ``next_run_at`` where it was, so
the next run tries again (after ``MAX_RETRIES`` failures in a row the occurrence is
given up and the next one scheduled); the error shows on the saved reports page.
Sending goes the way notification digests go: Django's default mailer, and e-mail
is off when that is SMTP without a host.
"""

from __future__ import annotations

import logging
import smtplib
from calendar import monthrange
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.core.downloads import XLSX_TYPE
from okno.core.errors import Conflict, InvalidInput, NotFound
from okno.notifications.mailer import email_enabled, language_of
from okno.reports.choices import Schedule
from okno.reports.models import DeliveryRun, SavedReport
from okno.reports.services import export
from okno.reports.services import reports as service
from okno.reports.services.base import require_view
from okno.reports.services.filters import parse_filters

logger = logging.getLogger("okno.reports")

MAX_RECIPIENTS = 50
MAX_RETRIES = 10
CLAIM_TIMEOUT = timedelta(minutes=30)


def _is_admin(user: User) -> bool:
    return bool(user.is_superuser or user.role == Role.ADMIN)


def visible_saved(user: User) -> QuerySet[SavedReport]:
    """Your own saved reports; an administrator sees everyone's."""
    require_view(user)
    qs = SavedReport.objects.all()
    return qs if _is_admin(user) else qs.filter(owner=user)


def get(user: User, pk: int) -> SavedReport:
    found = visible_saved(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("No such saved report."))
    return found


def querystring(item: SavedReport) -> str:
    from django.http import QueryDict

    qd = QueryDict(mutable=True)
    qd.update({"report": item.report, **{k: str(v) for k, v in item.filters.items()}})
    return qd.urlencode()


def _recipients(value: str | Iterable[str]) -> list[str]:
    items = value.replace(",", "\n").replace(";", "\n").split() if isinstance(value, str) else list(value)
    seen: list[str] = []
    for raw in items:
        address = str(raw).strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise InvalidInput(
                _("“%(value)s” is not an e-mail address.") % {"value": address[:100]}, field="recipients"
            ) from None
        if address.lower() not in (s.lower() for s in seen):
            seen.append(address)
    if len(seen) > MAX_RECIPIENTS:
        raise InvalidInput(_("At most %(max)s recipients.") % {"max": MAX_RECIPIENTS}, field="recipients")
    return seen


def _int_or_none(value: Any, field: str, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("Give a whole number."), field=field) from None
    if not low <= number <= high:
        raise InvalidInput(_("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}, field=field)
    return number


def _validate(item: SavedReport) -> None:
    item.name = " ".join(item.name.split())[:200]
    if not item.name:
        raise InvalidInput(_("Give the report a name."), field="name")
    spec = service.spec_of(item.report)
    # The filters must parse as the report's; what is stored is their normal form.
    item.filters = parse_filters(item.filters, group_choices=tuple(spec.groups)).to_params()
    if item.schedule not in Schedule.values:
        raise InvalidInput(_("Unknown schedule."), field="schedule")
    if item.schedule == Schedule.WEEKLY and item.weekday is None:
        raise InvalidInput(_("Choose the weekday."), field="weekday")
    if item.schedule == Schedule.MONTHLY and item.day_of_month is None:
        raise InvalidInput(_("Choose the day of the month."), field="day_of_month")
    if item.schedule != Schedule.OFF and not item.recipients:
        raise InvalidInput(_("Give at least one recipient to mail the report to."), field="recipients")


def next_run(item: SavedReport, after: datetime) -> datetime | None:
    """The first delivery moment strictly after ``after`` (``None``: not mailed)."""
    if item.schedule == Schedule.OFF:
        return None
    tz = timezone.get_current_timezone()
    local = timezone.localtime(after, tz)
    day = local.date()
    for _step in range(400):
        if _matches(item, day):
            moment = timezone.make_aware(datetime.combine(day, time(item.send_hour)), tz)
            if moment > after:
                return moment
        day += timedelta(days=1)
    return None


def _matches(item: SavedReport, day: date) -> bool:
    if item.schedule == Schedule.DAILY:
        return True
    if item.schedule == Schedule.WEEKLY:
        return day.weekday() == item.weekday
    wanted = min(item.day_of_month or 1, monthrange(day.year, day.month)[1])
    return day.day == wanted


def _save(item: SavedReport, *, reschedule: bool) -> SavedReport:
    _validate(item)
    item.updated_at = timezone.now()
    if reschedule:
        item.next_run_at = next_run(item, item.updated_at)
        item.failures = 0
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise Conflict(_("You already have a saved report of that name."), field="name") from None
    return item


def create(
    user: User,
    *,
    name: str,
    report: str,
    filters: dict[str, Any] | None = None,
    recipients: str | Iterable[str] = (),
    schedule: str = Schedule.OFF,
    weekday: Any = None,
    day_of_month: Any = None,
    send_hour: Any = 8,
) -> SavedReport:
    """Save a report under a name (and, with recipients, a schedule)."""
    require_view(user)
    if report not in service.REPORTS:
        raise InvalidInput(_("No such report."), field="report")
    item = SavedReport(
        owner=user,
        name=name,
        report=report,
        filters=dict(filters or {}),
        recipients=_recipients(recipients),
        schedule=schedule,
        weekday=_int_or_none(weekday, "weekday", 0, 6),
        day_of_month=_int_or_none(day_of_month, "day_of_month", 1, 31),
        send_hour=_int_or_none(send_hour, "send_hour", 0, 23) or 0,
    )
    return _save(item, reschedule=True)


_UNSET: Any = object()


def update(
    user: User,
    item: SavedReport,
    *,
    name: str = _UNSET,
    filters: dict[str, Any] = _UNSET,
    recipients: str | Iterable[str] = _UNSET,
    schedule: str = _UNSET,
    weekday: Any = _UNSET,
    day_of_month: Any = _UNSET,
    send_hour: Any = _UNSET,
) -> SavedReport:
    """Change what is given; a schedule change plans the next delivery afresh."""
    item = get(user, item.pk)
    before = (item.schedule, item.weekday, item.day_of_month, item.send_hour)
    if name is not _UNSET:
        item.name = name
    if filters is not _UNSET:
        item.filters = dict(filters or {})
    if recipients is not _UNSET:
        item.recipients = _recipients(recipients)
    if schedule is not _UNSET:
        item.schedule = schedule
    if weekday is not _UNSET:
        item.weekday = _int_or_none(weekday, "weekday", 0, 6)
    if day_of_month is not _UNSET:
        item.day_of_month = _int_or_none(day_of_month, "day_of_month", 1, 31)
    if send_hour is not _UNSET:
        item.send_hour = _int_or_none(send_hour, "send_hour", 0, 23) or 0
    after = (item.schedule, item.weekday, item.day_of_month, item.send_hour)
    return _save(item, reschedule=before != after or item.next_run_at is None)


def delete(user: User, item: SavedReport) -> None:
    get(user, item.pk).delete()


# --- delivery ----------------------------------------------------------------------------------


def build_message(item: SavedReport) -> tuple[EmailMessage, int]:
    """The e-mail for one saved report, in its owner's language, with the XLSX
    attached; and the number of rows in it. Raises ``PermissionDenied`` when the
    owner may no longer read reports."""
    owner = item.owner
    with translation.override(language_of(owner)):
        spec = service.spec_of(item.report)
        flt = parse_filters(item.filters, group_choices=tuple(spec.groups))
        options = {"limit": None} if item.report == "overdue" else {}
        report = service.run(owner, item.report, flt, **options)
        body = export.to_xlsx(report)
        rows = len(report.items) if report.item_columns else len(report.rows)
        subject = _("Report “%(name)s”") % {"name": item.name}
        text = render_to_string(
            "reports/email.txt",
            {
                "item": item,
                "report": report,
                "lines": export.describe(report),
                "url": f"{settings.SITE_URL}{reverse('reports:page')}?{querystring(item)}",
                "saved_url": f"{settings.SITE_URL}{reverse('reports:saved')}",
            },
        )
    message = EmailMessage(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(item.recipients),
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )
    message.attach(export.filename(report, "xlsx"), body, XLSX_TYPE)
    return message, rows


def deliver(item: SavedReport, *, manual: bool = False, now: datetime | None = None) -> DeliveryRun:
    """Build and mail one saved report now; record the attempt and plan the next."""
    now = now or timezone.now()
    run = DeliveryRun(saved=item, started_at=now, recipients=list(item.recipients), manual=manual)
    try:
        if not item.recipients:
            raise InvalidInput(_("No recipients."))
        if not email_enabled():
            raise InvalidInput(_("E-mail is not set up on this installation."))
        message, run.rows = build_message(item)
        attachment = message.attachments[0]
        run.attachment = attachment.filename if hasattr(attachment, "filename") else str(attachment[0])
        content = attachment.content if hasattr(attachment, "content") else attachment[1]
        run.size = len(content)
        mailers.default.send_messages([message])
    except PermissionDenied:
        run.error = _("The owner may no longer read reports.")
    except (InvalidInput, NotFound) as exc:
        run.error = exc.message
    except (OSError, smtplib.SMTPException) as exc:
        run.error = _("The e-mail server refused or could not be reached (%(error)s).") % {"error": type(exc).__name__}
    else:
        run.ok = True
    with transaction.atomic():
        run.save()
        fields: dict[str, Any] = {"claimed_at": None}
        if run.ok:
            fields.update(last_sent_at=now, last_error="", failures=0)
            if not manual:
                fields["next_run_at"] = next_run(item, now)
        else:
            fields.update(last_error=run.error, failures=item.failures + 1)
            if not manual and item.failures + 1 >= MAX_RETRIES:
                fields.update(next_run_at=next_run(item, now), failures=0)
        SavedReport.objects.filter(pk=item.pk).update(**fields)
    for name, value in fields.items():
        setattr(item, name, value)
    if run.ok:
        logger.info("saved report %s mailed to %d recipients", item.pk, len(run.recipients))
    else:
        logger.warning("saved report %s not mailed: %s", item.pk, run.error)
    return run


def send_now(user: User, item: SavedReport) -> DeliveryRun:
    """Mail a saved report at once (its schedule is not moved)."""
    item = get(user, item.pk)
    return deliver(item, manual=True)


def _claim(item_id: int, claimed_before: datetime | None, now: datetime) -> bool:
    """Take one due report for this run: a conditional update, so two workers never
    send the same report twice."""
    return bool(
        SavedReport.objects.filter(pk=item_id, claimed_at=claimed_before).update(claimed_at=now)
        if claimed_before is not None
        else SavedReport.objects.filter(pk=item_id, claimed_at__isnull=True).update(claimed_at=now)
    )


def send_due(now: datetime | None = None, limit: int = 50) -> dict[str, int]:
    """Mail the saved reports whose delivery is due. Returns counts."""
    now = now or timezone.now()
    due = (
        SavedReport.objects.exclude(schedule=Schedule.OFF)
        .filter(next_run_at__lte=now)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))
        .select_related("owner")
        .order_by("next_run_at", "id")[:limit]
    )
    counts = {"due": 0, "sent": 0, "failed": 0}
    for item in list(due):
        counts["due"] += 1
        if not _claim(item.pk, item.claimed_at, now):
            continue
        run = deliver(item, now=now)
        counts["sent" if run.ok else "failed"] += 1
    return counts
