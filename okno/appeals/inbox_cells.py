"""The inbox table's cells, rendered in Python.

A template walking a chain of ``{% if key == … %}`` for every cell of every row
cost about 20 ms for a page of 50 (bench/README.md); one function per column,
picked from a dict, costs a fraction of that. Same markup as before.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from okno.appeals.models import Appeal
from okno.appeals.templatetags.appeals import priority_badge, status_badge
from okno.deadlines import display as deadline_display
from okno.deadlines.choices import Risk

_DASH = mark_safe('<span class="text-body-tertiary">—</span>')


def _when(value: object, fmt: str) -> str:
    return date_format(timezone.localtime(value), fmt) if value else ""  # type: ignore[arg-type]


def _number(appeal: Appeal, url: str) -> SafeString:
    return format_html(
        '<td class="col-number"><a class="fw-semibold font-monospace text-decoration-none" href="{}">{}</a></td>',
        url,
        appeal.number,
    )


def _received(appeal: Appeal, url: str) -> SafeString:
    return format_html('<td class="col-received">{}</td>', _when(appeal.created_at, "SHORT_DATETIME_FORMAT"))


def _subject(appeal: Appeal, url: str) -> SafeString:
    tags = format_html_join(
        "",
        '<span class="badge rounded-pill text-bg-light border fw-normal me-1">{}</span>',
        ((tag.name,) for tag in appeal.tags.all()),
    )
    return format_html(
        '<td class="col-subject"><a class="okno-subject text-body text-decoration-none" href="{}">{}</a>{}</td>',
        url,
        appeal.subject,
        tags,
    )


def _client(appeal: Appeal, url: str) -> SafeString:
    client = appeal.client
    if client is None:
        return format_html('<td class="col-client">{}</td>', _DASH)
    vip = mark_safe(' <span class="badge text-bg-warning">VIP</span>') if client.is_vip else ""
    return format_html('<td class="col-client">{}{}</td>', client.name, vip)


def _kind(appeal: Appeal, url: str) -> SafeString:
    return format_html('<td class="col-kind">{}</td>', appeal.kind.display_name)


def _category(appeal: Appeal, url: str) -> SafeString:
    return format_html('<td class="col-category">{}</td>', appeal.category.full_name if appeal.category else _DASH)


def _channel(appeal: Appeal, url: str) -> SafeString:
    return format_html('<td class="col-channel">{}</td>', appeal.get_channel_display())


def _status(appeal: Appeal, url: str) -> SafeString:
    return format_html('<td class="col-status">{}</td>', status_badge(appeal.status))


def _priority(appeal: Appeal, url: str) -> SafeString:
    return format_html('<td class="col-priority">{}</td>', priority_badge(appeal.priority))


def _queue(appeal: Appeal, url: str) -> SafeString:
    return format_html('<td class="col-queue">{}</td>', appeal.queue.display_name if appeal.queue else _DASH)


def _assignee(appeal: Appeal, url: str) -> SafeString:
    if appeal.assignee is None:
        return format_html('<td class="col-assignee"><span class="text-body-tertiary">{}</span></td>', _("unassigned"))
    return format_html('<td class="col-assignee">{}</td>', appeal.assignee.display_name)


def _due(appeal: Appeal, url: str) -> SafeString:
    """The date, and for an open appeal the working time left, coloured by standing."""
    if appeal.due_at is None:
        return mark_safe('<td class="col-due">—</td>')
    when = _when(appeal.due_at, "SHORT_DATETIME_FORMAT")
    if not appeal.is_open:
        return format_html('<td class="col-due"><span class="text-body-secondary">{}</span></td>', when)
    now = timezone.now()
    risk = deadline_display.standing(appeal.due_at, appeal.due_risk_at, now)
    icon = mark_safe(' <i class="bi bi-alarm"></i>') if risk == Risk.OVERDUE else ""
    return format_html(
        '<td class="col-due" data-risk="{}"><span class="{}" title="{}">{}{}</span><div class="small {}">{}</div></td>',
        risk.value,
        deadline_display.RISK_CLASSES[risk],
        risk.label,
        when,
        icon,
        deadline_display.RISK_CLASSES[risk] or "text-body-secondary",
        deadline_display.countdown(appeal.due_at, now),
    )


def _updated(appeal: Appeal, url: str) -> SafeString:
    return format_html('<td class="col-updated">{}</td>', _when(appeal.updated_at, "SHORT_DATETIME_FORMAT"))


CELLS: dict[str, Callable[[Appeal, str], SafeString]] = {
    "number": _number,
    "received": _received,
    "subject": _subject,
    "client": _client,
    "kind": _kind,
    "category": _category,
    "channel": _channel,
    "status": _status,
    "priority": _priority,
    "queue": _queue,
    "assignee": _assignee,
    "due": _due,
    "updated": _updated,
}


def row(appeal: Appeal, columns: list[tuple[str, str]], *, selectable: bool) -> SafeString:
    """One ``<tr>``: the selection box if the user can act in bulk, then the cells
    in the user's column order; overdue rows are marked."""
    url = reverse("appeals:detail", args=[appeal.number])
    select = (
        format_html(
            '<td class="col-select ps-3"><input class="form-check-input js-row-select" type="checkbox"'
            ' name="ids" value="{}" aria-label="{}"></td>',
            appeal.pk,
            appeal.number,
        )
        if selectable
        else ""
    )
    cells = mark_safe("".join(CELLS[key](appeal, url) for key, _label in columns if key in CELLS))  # noqa: S308 - each cell is format_html
    return format_html(
        '<tr class="{}" data-number="{}">{}{}</tr>',
        "okno-overdue" if appeal.is_overdue else "",
        appeal.number,
        select,
        cells,
    )
