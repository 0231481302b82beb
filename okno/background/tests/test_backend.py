"""The django.tasks backend with tasks run inline (huey's immediate mode), as every
test of other apps runs them: records, outcomes, results, transactions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.tasks import TaskResultStatus, default_task_backend
from django.tasks.exceptions import InvalidTask, TaskResultDoesNotExist, TaskResultMismatch
from django.tasks.signals import task_enqueued, task_finished, task_started
from django.utils import timezone

from okno.background import execution
from okno.background.backend import HueyTaskBackend
from okno.background.models import TaskRecord
from okno.background.tests import sample_tasks

pytestmark = pytest.mark.django_db

READY, RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING
FAILED, SUCCESSFUL = TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL


def test_tests_run_tasks_inline_through_the_huey_backend():
    from django.tasks import task_backends

    backend = task_backends["default"]
    assert isinstance(backend, HueyTaskBackend)
    assert backend.inline and backend.huey.immediate


def test_enqueue_writes_a_ready_record_and_runs_nothing_before_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = sample_tasks.add.enqueue(2, b=3)
    record = TaskRecord.objects.get(pk=result.id)
    assert record.status == READY
    assert record.task_path == "okno.background.tests.sample_tasks.add"
    assert (record.args, record.kwargs) == ([2], {"b": 3})
    assert (record.queue_name, record.priority, record.backend) == ("default", 0, "default")
    assert record.enqueued_at is not None and record.started_at is None and record.periodic_name == ""
    assert result.status == READY and not result.is_finished
    assert len(callbacks) == 1  # the hand-off to huey waits for the commit


def test_inline_execution_records_success_and_the_return_value(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = sample_tasks.add.enqueue(2, 3)
    result.refresh()
    assert result.status == SUCCESSFUL
    assert result.return_value == 5
    assert result.attempts == 1 and result.worker_ids[0].count(":") == 2
    assert result.started_at <= result.finished_at
    record = TaskRecord.objects.get(pk=result.id)
    assert record.return_value == 5 and record.errors == []


def test_an_exception_records_failed_with_the_traceback(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = sample_tasks.fail.enqueue("card number missing")
    result.refresh()
    assert result.status == FAILED
    [error] = result.errors
    assert error.exception_class is ValueError
    assert error.exception_class_path == "builtins.ValueError"
    assert "card number missing" in error.traceback and "Traceback" in error.traceback
    with pytest.raises(ValueError, match="Task failed"):
        result.return_value  # noqa: B018


def test_get_result_round_trip(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueued = sample_tasks.add.enqueue(20, 22)
    found = default_task_backend.get_result(enqueued.id)
    assert found.id == enqueued.id
    assert found.task.func is sample_tasks.add.func
    assert (found.args, found.kwargs, found.return_value) == ([20, 22], {}, 42)
    assert sample_tasks.add.get_result(enqueued.id).return_value == 42
    with pytest.raises(TaskResultMismatch):
        sample_tasks.fail.get_result(enqueued.id)
    with pytest.raises(TaskResultDoesNotExist):
        default_task_backend.get_result("no-such-task")


def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(tmp_path, django_capture_on_commit_callbacks):
    trace = tmp_path / "trace.txt"
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        sample_tasks.touch.enqueue(str(trace))
        raise RuntimeError("the change is refused")
    assert callbacks == []
    assert not trace.exists()
    assert not TaskRecord.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_with_real_commits_a_task_runs_after_its_transaction_commits_and_not_after_a_rollback(tmp_path):
    trace = tmp_path / "trace.txt"
    with pytest.raises(RuntimeError), transaction.atomic():
        sample_tasks.touch.enqueue(str(trace), "rolled back")
        raise RuntimeError("refused")
    assert not trace.exists() and not TaskRecord.objects.exists()

    with transaction.atomic():
        result = sample_tasks.touch.enqueue(str(trace), "committed")
        assert not trace.exists()  # not before the commit
    assert trace.read_text() == "committed\n"
    result.refresh()
    assert result.status == SUCCESSFUL


def test_priority_and_run_after_are_accepted(django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        result = sample_tasks.add.using(priority=10, run_after=later).enqueue(1, 1)
    record = TaskRecord.objects.get(pk=result.id)
    assert record.priority == 10 and record.run_after == later
    # Deferred: nothing runs it before its time, inline or not.
    assert record.status == READY
    assert default_task_backend.get_result(result.id).task.run_after == later


def test_a_priority_out_of_range_is_refused():
    with pytest.raises(InvalidTask, match="priority"):
        sample_tasks.add.using(priority=101)


def test_an_unknown_queue_is_a_clear_error():
    with pytest.raises(InvalidTask, match="Queue 'mail' is not valid"):
        sample_tasks.add.using(queue_name="mail").enqueue(1, 2)
    assert not TaskRecord.objects.exists()


def test_arguments_must_be_json(django_capture_on_commit_callbacks):
    with pytest.raises(TypeError):
        sample_tasks.add.enqueue({1, 2}, 3)
    assert not TaskRecord.objects.exists()


def test_a_return_value_that_is_not_json_is_a_failure(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = sample_tasks.not_json.enqueue()
    result.refresh()
    assert result.status == FAILED
    assert result.errors[0].exception_class is TypeError


def test_a_task_taking_context_gets_its_own_result(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = sample_tasks.whoami.enqueue("x")
    result.refresh()
    assert result.return_value == {"id": result.id, "attempt": 1, "tag": "x"}


def test_async_tasks_run_too(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = sample_tasks.async_double.enqueue(21)
    result.refresh()
    assert result.return_value == 42


def test_signals_follow_the_record(django_capture_on_commit_callbacks):
    seen: list[tuple[str, str]] = []

    def receiver(name):
        return lambda sender, task_result, **kw: seen.append((name, task_result.status))

    handlers = {
        task_enqueued: receiver("enqueued"),
        task_started: receiver("started"),
        task_finished: receiver("finished"),
    }
    for signal, handler in handlers.items():
        signal.connect(handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            sample_tasks.add.enqueue(1, 2)
    finally:
        for signal, handler in handlers.items():
            signal.disconnect(handler)
    assert seen == [("enqueued", READY), ("started", RUNNING), ("finished", SUCCESSFUL)]


def test_a_record_runs_once_however_often_its_message_arrives(tmp_path, django_capture_on_commit_callbacks):
    trace = tmp_path / "trace.txt"
    with django_capture_on_commit_callbacks(execute=True):
        result = sample_tasks.touch.enqueue(str(trace))
    # huey delivers at least once: the same message again, and again.
    assert execution.run_record(result.id) == SUCCESSFUL
    assert execution.run_record(result.id) == SUCCESSFUL
    assert trace.read_text() == "ran\n"
    assert TaskRecord.objects.get(pk=result.id).attempts == 1
    assert execution.run_record("gone") == ""


def test_a_record_another_worker_holds_is_not_run_again(tmp_path, django_capture_on_commit_callbacks):
    trace = tmp_path / "trace.txt"
    with django_capture_on_commit_callbacks(execute=False):
        result = sample_tasks.touch.enqueue(str(trace))
    TaskRecord.objects.filter(pk=result.id).update(status=RUNNING, worker_ids=["other:1:Worker-1"])
    assert execution.run_record(result.id) == RUNNING
    assert not trace.exists()


def test_an_interrupted_record_is_ready_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        result = sample_tasks.add.enqueue(1, 2)
    TaskRecord.objects.filter(pk=result.id).update(status=RUNNING, started_at=timezone.now(), worker_ids=["w:1:T"])
    assert execution.release(result.id)
    record = TaskRecord.objects.get(pk=result.id)
    assert record.status == READY and record.started_at is None and record.worker_ids == ["w:1:T"]
    assert not execution.release(result.id)  # only a running record


def test_a_task_whose_code_is_gone_fails_with_the_reason(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        result = sample_tasks.add.enqueue(1, 2)
    TaskRecord.objects.filter(pk=result.id).update(task_path="okno.background.tests.sample_tasks.removed")
    assert execution.run_record(result.id) == FAILED
    record = TaskRecord.objects.get(pk=result.id)
    assert "removed" in record.errors[0]["traceback"]


def test_the_backend_hands_records_to_a_real_huey_store_on_commit(huey_file: Path, django_capture_on_commit_callbacks):
    from django.tasks import task_backends

    backend = task_backends["default"]
    assert isinstance(backend, HueyTaskBackend) and not backend.inline
    with django_capture_on_commit_callbacks(execute=True):
        result = sample_tasks.add.using(priority=5).enqueue(1, 2)
        assert backend.huey.pending_count() == 0
    assert backend.huey.pending_count() == 1
    [message] = backend.huey.pending()
    assert message.args == (result.id,) and message.priority == 5
    assert huey_file.exists()
    assert TaskRecord.objects.get(pk=result.id).status == READY  # no worker here
