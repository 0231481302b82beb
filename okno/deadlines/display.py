"""How a deadline reads in lists and on the appeal page: its standing (colour) and a
countdown in working time, in the interface language."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from okno.deadlines.calendar import WorkingCalendar, get_calendar
from okno.deadlines.choices import Risk

RISK_CLASSES = {
    Risk.OVERDUE: "text-danger fw-semibold",
    Risk.DUE_TODAY: "text-warning-emphasis fw-semibold",
    Risk.AT_RISK: "text-warning-emphasis",
    Risk.OK: "",
}


def standing(due_at: datetime, risk_at: datetime | None, now: datetime) -> Risk:
    if due_at < now:
        return Risk.OVERDUE
    if timezone.localtime(due_at).date() == timezone.localtime(now).date():
        return Risk.DUE_TODAY
    if risk_at is not None and risk_at <= now:
        return Risk.AT_RISK
    return Risk.OK


def duration_text(left: timedelta) -> str:
    """ "2 h 05 min" or "40 minutes"."""
    minutes = max(0, int(left.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    return ngettext("%(m)d minute", "%(m)d minutes", minutes) % {"m": minutes}


def countdown(due_at: datetime, now: datetime, cal: WorkingCalendar | None = None) -> str:
    """ "3 working days", "2 h 15 min" (working time left today), or "overdue by 4 days"."""
    if due_at < now:
        late = now - due_at
        if late >= timedelta(days=1):
            return ngettext("overdue by %(n)d day", "overdue by %(n)d days", late.days) % {"n": late.days}
        return _("overdue by %(t)s") % {"t": duration_text(late)}
    cal = cal or get_calendar()
    today = now.astimezone(cal.tz).date()
    due_day = due_at.astimezone(cal.tz).date()
    if due_day <= today:
        return _("%(t)s of working time") % {"t": duration_text(cal.working_time_between(now, due_at))}
    days = cal.working_days_between(today + timedelta(days=1), due_day)
    if days == 0:
        return _("%(t)s of working time") % {"t": duration_text(cal.working_time_between(now, due_at))}
    return ngettext("%(n)d working day", "%(n)d working days", days) % {"n": days}


def penalty(amount: Decimal | None, percent_per_day: Decimal | None, due_at: datetime, now: datetime) -> Decimal | None:
    """Consumer-protection penalty so far (art. 23): ``percent_per_day`` of the price
    for each full or started day of delay; None when it does not apply."""
    if amount is None or percent_per_day is None or due_at >= now:
        return None
    days = (now - due_at).days + 1
    return (amount * percent_per_day / 100 * days).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
