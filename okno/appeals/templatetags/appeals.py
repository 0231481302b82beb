"""How appeals read on screen: status and priority badges, event lines with their
before → after in today's words, page links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from okno.appeals.choices import (
    ApprovalStatus,
    Channel,
    DeliveryStatus,
    Direction,
    EventKind,
    LinkKind,
    Outcome,
    Priority,
    Status,
)
from okno.appeals.models import Appeal, Event

register = template.Library()

STATUS_STYLE: dict[str, str] = {
    Status.NEW: "text-bg-primary",
    Status.IN_WORK: "text-bg-info",
    Status.WAITING_CLIENT: "text-bg-warning",
    Status.ANSWERED: "text-bg-success",
    Status.CLOSED: "text-bg-secondary",
    Status.CANCELLED: "text-bg-dark",
    Status.MERGED: "text-bg-light border",
}
PRIORITY_STYLE: dict[str, str] = {
    Priority.LOW: "text-bg-light border",
    Priority.NORMAL: "bg-secondary-subtle text-secondary-emphasis",
    Priority.HIGH: "text-bg-warning",
    Priority.CRITICAL: "text-bg-danger",
}
PRIORITY_ICON: dict[str, str] = {
    Priority.LOW: "bi-arrow-down",
    Priority.NORMAL: "bi-dash",
    Priority.HIGH: "bi-arrow-up",
    Priority.CRITICAL: "bi-exclamation-triangle-fill",
}
EVENT_ICON: dict[str, str] = {
    EventKind.REGISTERED: "bi-box-arrow-in-down",
    EventKind.FIELD_CHANGED: "bi-pencil",
    EventKind.STATUS_CHANGED: "bi-arrow-repeat",
    EventKind.ASSIGNED: "bi-person",
    EventKind.MESSAGE_RECEIVED: "bi-envelope",
    EventKind.REPLY_SENT: "bi-send",
    EventKind.REPLY_SUBMITTED: "bi-hourglass-split",
    EventKind.REPLY_APPROVED: "bi-check2-circle",
    EventKind.REPLY_RETURNED: "bi-arrow-return-left",
    EventKind.NOTE_ADDED: "bi-sticky",
    EventKind.CLOSED: "bi-check2-square",
    EventKind.REOPENED: "bi-arrow-counterclockwise",
    EventKind.CANCELLED: "bi-x-circle",
    EventKind.MERGED_INTO: "bi-sign-merge-right",
    EventKind.MERGED_FROM: "bi-sign-merge-left",
    EventKind.LINKED: "bi-link-45deg",
    EventKind.UNLINKED: "bi-x-lg",
    EventKind.SUBCASE_CREATED: "bi-diagram-2",
    EventKind.TAGS_CHANGED: "bi-tags",
    EventKind.DEADLINE_RECOMPUTED: "bi-calendar2-range",
    EventKind.DEADLINE_PAUSED: "bi-pause-circle",
    EventKind.DEADLINE_RESUMED: "bi-play-circle",
    EventKind.DEADLINE_EXTENDED: "bi-calendar-plus",
    EventKind.DEADLINE_BREACHED: "bi-alarm",
}
DEADLINE_EVENTS = frozenset(
    {
        EventKind.DEADLINE_RECOMPUTED,
        EventKind.DEADLINE_PAUSED,
        EventKind.DEADLINE_RESUMED,
        EventKind.DEADLINE_EXTENDED,
        EventKind.DEADLINE_BREACHED,
    }
)
# Fields whose events store a code: shown through today's translated label.
CHOICE_FIELDS: dict[str, Any] = {
    "status": Status,
    "priority": Priority,
    "channel": Channel,
    "outcome": Outcome,
    "kind_of_link": LinkKind,
}


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@register.simple_tag
def status_badge(status: str) -> SafeString:
    return format_html(
        '<span class="badge {}">{}</span>', STATUS_STYLE.get(status, "text-bg-light"), _label(Status, status)
    )


@register.simple_tag
def priority_badge(priority: str) -> SafeString:
    return format_html(
        '<span class="badge {}"><i class="bi {}"></i> {}</span>',
        PRIORITY_STYLE.get(priority, "text-bg-light"),
        PRIORITY_ICON.get(priority, "bi-dash"),
        _label(Priority, priority),
    )


@register.filter
def channel_label(channel: str) -> str:
    return _label(Channel, channel)


@register.filter
def direction_label(direction: str) -> str:
    return _label(Direction, direction)


@register.filter
def approval_label(status: str) -> str:
    return _label(ApprovalStatus, status)


@register.filter
def delivery_label(status: str) -> str:
    return _label(DeliveryStatus, status)


@register.filter
def event_icon(kind: str) -> str:
    return EVENT_ICON.get(kind, "bi-dot")


@dataclass
class Change:
    field: str
    before: str
    after: str


def _field_label(name: str) -> str:
    if name == "tags":
        return _("Tags")
    try:
        return capfirst(str(getattr(Appeal._meta.get_field(name), "verbose_name", name)))
    except Exception:  # noqa: BLE001 - a field that no longer exists reads as its name
        return name


def _value(name: str, snapshot: dict[str, Any] | None) -> str:
    if not snapshot:
        return "—"
    value, label = snapshot.get("value"), snapshot.get("label")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = CHOICE_FIELDS.get(name)
    if choices is not None and isinstance(value, str):
        return _label(choices, value)
    return str(label if label not in (None, "") else value)


def _moment(snapshot: dict[str, Any] | None) -> str:
    """A deadline kept in an event, in the reader's time zone and format."""
    if not snapshot or not snapshot.get("value"):
        return ""
    try:
        moment = datetime.fromisoformat(str(snapshot["value"]))
    except ValueError:
        return str(snapshot.get("label") or snapshot["value"])
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


@register.filter
def event_change(event: Event) -> Change | None:
    """An event's field, before and after as a person reads them now; ``None`` when
    the event is not a change of a value."""
    if event.kind in (EventKind.REGISTERED, EventKind.SUBCASE_CREATED, EventKind.MERGED_FROM):
        return None
    if event.kind == EventKind.LINKED:
        return Change(field="", before="", after=_value("kind_of_link", event.after))
    if event.kind in DEADLINE_EVENTS:
        from okno.deadlines.choices import ClockKind

        clock = _label(ClockKind, event.field) if event.field else ""
        return Change(field=clock, before=_moment(event.before), after=_moment(event.after) or "—")
    if not event.field or (event.before is None and event.after is None):
        return None
    if event.kind == EventKind.CLOSED:
        return Change(field=_("Outcome"), before="", after=_value("outcome", event.after))
    # The kind of event already names the field ("Status changed", "Assigned").
    field = _field_label(event.field) if event.kind == EventKind.FIELD_CHANGED else ""
    return Change(field=field, before=_value(event.field, event.before), after=_value(event.field, event.after))


@register.simple_tag
def page_links(page: Any, around: int = 2) -> list[int | None]:
    """Page numbers to offer: first, last, and a window around the current one
    (``None`` for a gap). When the total was only counted up to a cap, the last
    page is unknown: the window ends with a gap."""
    if page.total_is_lower_bound:
        last = page.number + (1 if page.has_next else 0)
        numbers = sorted({1, *range(max(1, page.number - around), last + 1)})
        return [*_with_gaps(numbers), *([None] if page.has_next else [])]
    last = page.pages
    numbers = sorted({1, last, *range(max(1, page.number - around), min(last, page.number + around) + 1)})
    return _with_gaps(numbers)


def _with_gaps(numbers: list[int]) -> list[int | None]:
    result: list[int | None] = []
    previous = 0
    for number in numbers:
        if number - previous > 1:
            result.append(None)
        result.append(number)
        previous = number
    return result


@register.simple_tag
def inbox_row(appeal: Appeal, columns: list[tuple[str, str]], selectable: bool) -> SafeString:
    """One inbox row (see ``okno.appeals.inbox_cells``)."""
    from okno.appeals.inbox_cells import row

    return row(appeal, columns, selectable=selectable)
