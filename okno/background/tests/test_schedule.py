"""Periodic jobs: cron schedules in the installation's time zone, the registry,
and huey's scheduler enqueueing due jobs through the backend."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.tasks import TaskResultStatus, task
from huey import crontab
from huey.consumer import Scheduler
from hypothesis import given, settings
from hypothesis import strategies as st

from okno.background import queries, schedule
from okno.background.models import TaskRecord
from okno.background.schedule import Cron, periodic
from okno.background.tests import sample_tasks

MOSCOW = ZoneInfo("Europe/Moscow")
PRUNE = "okno.background.tasks.prune_task_records"
RESEND = "okno.background.tasks.resend_stalled_tasks"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=MOSCOW)


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("*/15 * * * *", local(2026, 3, 2, 10, 7), local(2026, 3, 2, 10, 15)),
        ("*/15 * * * *", local(2026, 3, 2, 10, 15), local(2026, 3, 2, 10, 30)),
        ("17 3 * * *", local(2026, 3, 2, 10, 0), local(2026, 3, 3, 3, 17)),
        ("0 9 * * 1-5", local(2026, 3, 6, 10, 0), local(2026, 3, 9, 9, 0)),  # Friday → Monday
        ("30 8 1 * *", local(2026, 12, 15, 0, 0), local(2027, 1, 1, 8, 30)),
        ("0 0 * * 0", local(2026, 3, 2, 0, 0), local(2026, 3, 8, 0, 0)),  # Sunday
        ("0 0 * * 7", local(2026, 3, 2, 0, 0), local(2026, 3, 8, 0, 0)),  # 7 is Sunday too
        ("0 12 29 2 *", local(2026, 3, 1, 0, 0), local(2028, 2, 29, 12, 0)),
    ],
)
def test_next_run_is_read_in_the_installation_time_zone(expression, after, expected):
    assert Cron.parse(expression).next_after(after) == expected


def test_a_date_that_never_comes_has_no_next_run():
    assert Cron.parse("0 0 31 2 *").next_after(local(2026, 1, 1, 0, 0)) is None


def test_a_schedule_is_due_by_local_time_whatever_the_server_clock():
    cron = Cron.parse("17 3 * * *")
    assert cron.is_due(datetime(2026, 3, 2, 0, 17, tzinfo=UTC))  # 03:17 in Moscow
    assert not cron.is_due(datetime(2026, 3, 2, 3, 17, tzinfo=UTC))


@pytest.mark.parametrize(
    "expression", ["* * * *", "60 * * * *", "* 24 * * *", "*/0 * * * *", "a b c d e", "* * * * */2"]
)
def test_a_bad_schedule_is_refused_at_start_up(expression):
    with pytest.raises(ImproperlyConfigured):
        periodic(expression)


EXPRESSIONS = ["*/7 * * * *", "5,35 1-4 * * *", "0 22-2 * * 1-5", "0-50/10 */6 1,15 * 0", "15 9 * 2-11/3 6-1"]


@settings(max_examples=300, deadline=None)
@given(
    expression=st.sampled_from(EXPRESSIONS),
    moment=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1)),
)
def test_the_page_and_huey_agree_on_every_minute(expression, moment):
    """Our value sets (next run) and huey's crontab (what actually fires) match."""
    cron = Cron.parse(expression)
    mine = (
        moment.minute in cron.minutes
        and moment.hour in cron.hours
        and moment.day in cron.days
        and moment.month in cron.months
        and (moment.weekday() + 1) % 7 in cron.weekdays
    )
    assert mine == crontab(*expression.split(), strict=True)(moment)


@settings(max_examples=60, deadline=None)
@given(
    expression=st.sampled_from(EXPRESSIONS[:3]),  # frequent ones: every minute up to the next is checked
    moment=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 1, 1)),
)
def test_next_run_is_the_first_due_minute(expression, moment):
    cron = Cron.parse(expression)
    after = moment.replace(tzinfo=MOSCOW)
    found = cron.next_after(after)
    assert found is not None and found > after and cron.is_due(found)
    probe = after.replace(second=0, microsecond=0, tzinfo=None) + timedelta(minutes=1)
    while probe < found.replace(tzinfo=None):
        assert not cron.matches(probe)
        probe += timedelta(minutes=1)


def test_periodic_registers_the_task_unchanged():
    job = schedule.get_job(PRUNE)
    assert job is not None
    assert job.cron.expression == "17 3 * * *"
    from okno.background.tasks import prune_task_records

    assert job.task is prune_task_records
    assert {j.name for j in schedule.periodic_jobs()} >= {PRUNE, RESEND}


def test_periodic_wants_a_django_task_without_arguments():
    with pytest.raises(ImproperlyConfigured, match="above @task"):
        periodic("* * * * *")(sample_tasks.add.func)
    with pytest.raises(ImproperlyConfigured, match="must not need arguments"):
        periodic("* * * * *", name="test.add")(sample_tasks.add)
    assert schedule.get_job("test.add") is None


def test_two_jobs_cannot_share_a_name():
    with pytest.raises(ImproperlyConfigured, match="Two periodic jobs"):
        periodic("* * * * *", name=PRUNE)(task(sample_tasks.not_json.func))


def _fire(at_utc: datetime) -> None:
    """One pass of huey's own scheduler over the periodic tasks, at a given moment."""
    from django.tasks import task_backends

    huey = task_backends["default"].huey  # type: ignore[attr-defined]
    Scheduler(huey, threading.Event(), interval=1, periodic=True).enqueue_periodic_tasks(at_utc.replace(tzinfo=None))


@pytest.mark.django_db
def test_huey_scheduler_enqueues_due_jobs_through_the_backend(django_capture_on_commit_callbacks):
    three_seventeen = datetime(2026, 3, 2, 0, 17, tzinfo=UTC)  # 03:17 in Moscow
    with django_capture_on_commit_callbacks(execute=True):
        _fire(three_seventeen)
    prune = TaskRecord.objects.get(periodic_name=PRUNE)
    assert prune.status == TaskResultStatus.SUCCESSFUL and prune.return_value == {"deleted": 0}
    assert TaskRecord.objects.filter(periodic_name=RESEND).count() == 1  # every minute

    with django_capture_on_commit_callbacks(execute=True):
        _fire(three_seventeen + timedelta(minutes=1))
    assert TaskRecord.objects.filter(periodic_name=PRUNE).count() == 1  # not due at 03:18
    assert TaskRecord.objects.filter(periodic_name=RESEND).count() == 2

    [status] = [s for s in queries.periodic_status() if s.name == PRUNE]
    assert status.last == prune
    assert status.next_run is not None and status.next_run.astimezone(MOSCOW).strftime("%H:%M") == "03:17"


@pytest.mark.django_db
def test_a_job_whose_last_run_has_not_started_is_not_piled_up(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        _fire(datetime(2026, 3, 2, 0, 17, tzinfo=UTC))
        _fire(datetime(2026, 3, 2, 0, 18, tzinfo=UTC))
    assert TaskRecord.objects.filter(periodic_name=RESEND).count() == 1
    assert TaskRecord.objects.get(periodic_name=RESEND).status == TaskResultStatus.READY
