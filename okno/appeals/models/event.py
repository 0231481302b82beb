"""The event log: the timeline of an appeal and its audit trail.

Events are only ever appended. There is no path that updates or deletes one: the
model and its queryset refuse, the admin is read-only, and the database refuses
UPDATE and DELETE by trigger (see the migration).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.appeals.choices import EventKind


class ImmutableEvent(Exception):
    """Somebody tried to change or remove an event."""


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableEvent("events cannot be changed")

    def delete(self) -> NoReturn:
        raise ImmutableEvent("events cannot be deleted")


class Event(models.Model):
    """Who did what to an appeal, when, with the value before and after.

    ``before`` and ``after`` hold ``{"value": …, "label": …}``: the stored value
    (a code or an id) and how it read at that moment.
    """

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what happened"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("who, as shown"), max_length=200)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    field = models.CharField(_("field"), max_length=50, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    message = models.ForeignKey(
        "appeals.Message", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    related_appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["appeal", "created_at", "id"], name="event_appeal_idx")]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableEvent("events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ImmutableEvent("events cannot be deleted")
