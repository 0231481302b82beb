"""The search document of an appeal: stems of its subject, description, client
and messages (see ``okno.lib.text``). Indexed by SQLite FTS5 or a PostgreSQL GIN
index, created by the migration for whichever database is in use."""

from __future__ import annotations

from django.db import models


class AppealSearch(models.Model):
    appeal = models.OneToOneField(
        "appeals.Appeal", on_delete=models.CASCADE, primary_key=True, related_name="search_entry"
    )
    document = models.TextField(default="")

    class Meta:
        verbose_name = "appeal search document"
        ordering = ["appeal"]

    def __str__(self) -> str:
        return f"search({self.appeal_id})"
