"""The live-update feed when the database carries it (SQLite, or PostgreSQL
without LISTEN/NOTIFY): rows written inside the changing transaction, read by
each web process's hub, pruned after a few minutes."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LiveMessage(models.Model):
    event = models.CharField(max_length=100)
    data = models.JSONField(default=dict)
    # Who may receive it: everyone who sees all, members of these queues, these users.
    queue_ids = models.JSONField(default=list)
    user_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id}: {self.event}"
