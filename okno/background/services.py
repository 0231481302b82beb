"""Operations on background task records: what the administrators' page, the API
and the background app's own periodic jobs call."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus, task_backends
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.services import is_admin
from okno.background.backend import HueyTaskBackend
from okno.background.models import TaskRecord
from okno.core.errors import Conflict, NotFound, PermissionDenied

logger = logging.getLogger(__name__)

READY, FAILED, SUCCESSFUL = TaskResultStatus.READY, TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL
FINISHED = (SUCCESSFUL, FAILED)
# A READY record this long past its time, with huey's queue empty, lost its message.
STALLED_AFTER = timedelta(minutes=5)
RESEND_BATCH = 500


def require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may see and manage background tasks."))


def retry_task(actor: User, record_id: str) -> TaskRecord:
    """Run a failed task again: the same record goes back to READY (its attempts and
    errors are kept) and is handed to a worker when this transaction commits."""
    require_admin(actor)
    with transaction.atomic():
        record = TaskRecord.objects.select_for_update().filter(pk=record_id).first()
        if record is None:
            raise NotFound(_("Task not found."))
        if record.status != FAILED:
            raise Conflict(_("Only a failed task can be retried."))
        backend = task_backends[record.backend]
        if not isinstance(backend, HueyTaskBackend):
            raise Conflict(_("This task's backend cannot run it again."))
        record.status = READY
        record.enqueued_at = timezone.now()
        record.run_after = None
        record.started_at = record.finished_at = record.return_value = None
        record.save(update_fields=["status", "enqueued_at", "run_after", "started_at", "finished_at", "return_value"])
        transaction.on_commit(lambda: backend.send(record.pk, record.priority, None))
    logger.info("Task record %s (%s) retried by user %s", record.pk, record.task_path, actor.pk)
    return record


def prune_records(days: int | None = None) -> int:
    """Delete finished records older than ``days`` (``OKNO_TASK_RECORDS_DAYS``).
    Each periodic job keeps its latest run, however old, so its page row has one."""
    days = settings.TASK_RECORDS_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    names = TaskRecord.objects.exclude(periodic_name="").values_list("periodic_name", flat=True).distinct()
    keep = [
        pk
        for name in list(names)
        for pk in TaskRecord.objects.filter(periodic_name=name)
        .order_by("-enqueued_at")
        .values_list("pk", flat=True)[:1]
    ]
    deleted, _counts = (
        TaskRecord.objects.filter(status__in=FINISHED, finished_at__lt=cutoff).exclude(pk__in=keep).delete()
    )
    return deleted


def resend_stalled() -> int:
    """Hand READY records to huey again when their message was lost (the broker was
    down at commit, a worker was killed): due for more than a few minutes while
    huey's queue is empty. A record sent twice still runs once (see ``execution``)."""
    cutoff = timezone.now() - STALLED_AFTER
    sent = 0
    for alias in settings.TASKS:
        backend = task_backends[alias]
        if not isinstance(backend, HueyTaskBackend) or backend.inline:
            continue
        stalled = list(
            TaskRecord.objects.filter(status=READY, backend=alias, enqueued_at__lt=cutoff)
            .exclude(run_after__gte=cutoff)
            .order_by("enqueued_at")
            .values_list("pk", "priority")[:RESEND_BATCH]
        )
        if not stalled or backend.huey.pending_count() > 0:
            continue  # nothing lost, or busy: the records are most likely waiting their turn
        for pk, priority in stalled:
            if backend.send(pk, priority, None):
                sent += 1
    if sent:
        logger.warning("Re-sent %s task record(s) whose message was lost", sent)
    return sent
