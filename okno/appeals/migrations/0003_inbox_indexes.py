"""Indexes for the inbox at scale (bench/inbox.py, 200,000 appeals on SQLite).

- The queue's own single-column index goes: appeal_inbox_idx starts with the queue,
  and the bare index made SQLite read and sort a whole queue for "open appeals,
  most urgent first". Dropped by name rather than by AlterField, which would make
  SQLite rebuild the appeals table.
- appeal_open_idx answers the sidebar's counts (open per queue, unassigned,
  overdue) with the visibility check from the index alone.
"""

import django.db.models.deletion
from django.db import migrations, models

QUEUE_INDEX = "appeals_appeal_queue_id_d1ac772a"


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0002_search_audit_kinds"),
        ("queues", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="appeal",
                    name="queue",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="queues.queue",
                        verbose_name="queue",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {QUEUE_INDEX}",
                    reverse_sql=f"CREATE INDEX {QUEUE_INDEX} ON appeals_appeal (queue_id)",
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(fields=["status", "queue", "assignee", "due_at"], name="appeal_open_idx"),
        ),
    ]
