"""What a notification says, rendered when it is shown or mailed, in the language
active at that moment (the reader's), so rows written once read right in Russian
and in English alike.

A notification stores only its kind, small parameters and the appeal. Parameters
the texts understand (all optional):

- ``clock``: which deadline (``"answer"``, ``"registration"``, ``"stage"`` …; unknown
  codes are shown as they are; add labels to ``CLOCK_LABELS``);
- ``due_at``: ISO 8601 instant the deadline falls (or fell) due;
- ``percent``: how much of the time has passed (reminders).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from okno.notifications.choices import NotificationKind

if TYPE_CHECKING:
    from okno.appeals.access import Visibility
    from okno.notifications.models import Notification

# Which deadline a clock code names, as it reads after "the deadline for" (in
# Russian: the genitive after «срок для»).
CLOCK_LABELS: dict[str, Any] = {
    "answer": pgettext_lazy("deadline for", "the answer"),
    "first_response": pgettext_lazy("deadline for", "the first response"),
    "registration": pgettext_lazy("deadline for", "registration"),
    "stage": pgettext_lazy("deadline for", "the current stage"),
    "resolution": pgettext_lazy("deadline for", "the resolution"),
}


@dataclass(frozen=True)
class Rendered:
    """A notification as people read it."""

    id: int
    kind: str
    title: str
    text: str
    appeal_number: str
    appeal_subject: str  # empty unless the reader may see the appeal
    url: str  # the appeal page (path); empty if there is none or the reader may not see it
    created_at: datetime
    is_read: bool


def _clock(params: dict[str, Any]) -> str:
    code = str(params.get("clock") or "")
    label = CLOCK_LABELS.get(code)
    if label is None:
        label = code or CLOCK_LABELS["answer"]
    return str(label)


def _due(params: dict[str, Any]) -> str:
    raw = params.get("due_at")
    if not raw:
        return ""
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        return ""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _reminder(params: dict[str, Any]) -> str:
    values = {"clock": _clock(params), "due": _due(params), "percent": params.get("percent")}
    if values["percent"] is not None and values["due"]:
        return _("%(percent)s%% of the time for %(clock)s has passed; it is due %(due)s.") % values
    if values["due"]:
        return _("The deadline for %(clock)s is near: it is due %(due)s.") % values
    return _("The deadline for %(clock)s is near.") % values


def _breach(params: dict[str, Any]) -> str:
    values = {"clock": _clock(params), "due": _due(params)}
    if values["due"]:
        return _("The deadline for %(clock)s was missed: it was due %(due)s.") % values
    return _("The deadline for %(clock)s was missed.") % values


def _escalation(params: dict[str, Any]) -> str:
    values = {"clock": _clock(params), "due": _due(params)}
    if values["due"]:
        return _("An appeal of your queue missed the deadline for %(clock)s: it was due %(due)s.") % values
    return _("An appeal of your queue missed the deadline for %(clock)s.") % values


def _extension(params: dict[str, Any]) -> str:
    values = {"clock": _clock(params), "due": _due(params)}
    if values["due"]:
        return _("The deadline for %(clock)s was extended: it is now due %(due)s.") % values
    return _("The deadline for %(clock)s was extended.") % values


def _assigned(params: dict[str, Any]) -> str:
    return _("The appeal was assigned to you.")


def _consultation(params: dict[str, Any]) -> str:
    from okno.routing.agents.services.statuses import consultation_text

    return consultation_text(params)


TEXTS: dict[str, Callable[[dict[str, Any]], str]] = {
    NotificationKind.REMINDER: _reminder,
    NotificationKind.BREACH: _breach,
    NotificationKind.ESCALATION: _escalation,
    NotificationKind.EXTENSION: _extension,
    NotificationKind.ASSIGNED: _assigned,
    NotificationKind.CONSULTATION: _consultation,
}


def title(kind: str) -> str:
    try:
        return str(NotificationKind(kind).label)
    except ValueError:
        return _("Notification")


def text(kind: str, params: dict[str, Any]) -> str:
    make = TEXTS.get(kind)
    return make(params or {}) if make is not None else ""


def render(notification: Notification, vis: Visibility | None = None) -> Rendered:
    """``notification`` with its appeal loaded (``select_related("appeal")``).

    ``vis`` is the reader's visibility: an appeal they can no longer see (they left
    the queue) keeps its number but loses its subject and link."""
    appeal = notification.appeal
    number = subject = url = ""
    if appeal is not None:
        number = appeal.number
        if vis is None or vis.covers(appeal.queue_id, appeal.assignee_id):
            subject = appeal.subject
            url = reverse("appeals:detail", args=[appeal.number])
    return Rendered(
        id=notification.pk,
        kind=notification.kind,
        title=title(notification.kind),
        text=text(notification.kind, notification.params),
        appeal_number=number,
        appeal_subject=subject,
        url=url,
        created_at=notification.created_at,
        is_read=notification.read_at is not None,
    )
