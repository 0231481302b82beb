"""Partial indexes of open appeals in "most urgent first" order, in a queue and
overall: PostgreSQL reads them in order and stops at the page (bench/README.md)."""

from django.db import migrations, models

OPEN = models.Q(("status__in", ["in_work", "new", "waiting_client"]))


class Migration(migrations.Migration):
    dependencies = [("appeals", "0003_inbox_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=OPEN, fields=["queue", "priority_rank", "created_at", "id"], name="appeal_open_queue_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(
                condition=OPEN, fields=["priority_rank", "created_at", "id"], name="appeal_open_prio_idx"
            ),
        ),
    ]
