"""The background app's own periodic jobs. Like every task, they only wrap services."""

from __future__ import annotations

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from okno.background import services
from okno.background.schedule import periodic


@periodic("17 3 * * *", description=_("Delete finished background task records older than the retention period"))
@task
def prune_task_records() -> dict[str, int]:
    return {"deleted": services.prune_records()}


@periodic("* * * * *", description=_("Hand queued tasks whose message was lost to a worker again"))
@task
def resend_stalled_tasks() -> dict[str, int]:
    return {"sent": services.resend_stalled()}
