"""The background app's own periodic jobs: pruning old records and handing lost
tasks to a worker again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.tasks import TaskResultStatus, task_backends
from django.utils import timezone

from okno.background import services
from okno.background.models import TaskRecord
from okno.background.tests import sample_tasks

pytestmark = pytest.mark.django_db

READY, FAILED, SUCCESSFUL = TaskResultStatus.READY, TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL


def _record(status: str, age_days: float, periodic_name: str = "") -> TaskRecord:
    moment = timezone.now() - timedelta(days=age_days)
    finished = status in (FAILED, SUCCESSFUL)
    return TaskRecord.objects.create(
        id=f"{status.lower()}-{age_days}-{periodic_name or 'x'}",
        task_path="okno.background.tests.sample_tasks.add",
        status=status,
        enqueued_at=moment,
        started_at=moment if finished else None,
        finished_at=moment if finished else None,
        periodic_name=periodic_name,
    )


def test_prune_deletes_finished_records_past_the_retention(settings):
    settings.TASK_RECORDS_DAYS = 14
    old_ok, old_failed = _record(SUCCESSFUL, 20), _record(FAILED, 15)
    recent = _record(SUCCESSFUL, 13)
    waiting = _record(READY, 30)  # not finished: never pruned
    job_old, job_older = _record(SUCCESSFUL, 40, "monthly"), _record(SUCCESSFUL, 70, "monthly")

    assert services.prune_records() == 3
    left = set(TaskRecord.objects.values_list("pk", flat=True))
    assert left == {recent.pk, waiting.pk, job_old.pk}  # a job keeps its last run
    assert old_ok.pk not in left and old_failed.pk not in left and job_older.pk not in left
    assert services.prune_records(days=1) == 1  # "recent" is older than a day


def test_resend_hands_lost_records_to_huey_again(huey_file: Path, django_capture_on_commit_callbacks):
    backend = task_backends["default"]
    huey = backend.huey  # type: ignore[attr-defined]
    with django_capture_on_commit_callbacks(execute=False):  # the commit-time hand-off is lost
        lost = sample_tasks.add.enqueue(4, 5)
        fresh = sample_tasks.add.enqueue(1, 1)
        later = sample_tasks.add.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(2, 2)
    ten_minutes_ago = timezone.now() - timedelta(minutes=10)
    TaskRecord.objects.filter(pk__in=[lost.id, later.id]).update(enqueued_at=ten_minutes_ago)

    assert services.resend_stalled() == 1  # not the fresh one, not the one for later
    assert huey.pending_count() == 1
    assert services.resend_stalled() == 0  # the queue is not empty: no pile of copies

    # A worker's turn: huey's own dequeue and execute, in this process.
    huey.execute(huey.dequeue())
    lost.refresh()
    assert lost.status == SUCCESSFUL and lost.return_value == 9
    assert TaskRecord.objects.get(pk=fresh.id).status == READY


def test_resend_does_nothing_when_tasks_run_inline():
    TaskRecord.objects.create(
        id="old", task_path="okno.background.tests.sample_tasks.add", enqueued_at=timezone.now() - timedelta(hours=1)
    )
    assert services.resend_stalled() == 0
