"""With a real background worker (``manage.py worker`` in its own process, fed
through a real huey store): a policy edit in the web process reaches the running
deadlines of open appeals, each with an event saying why."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from okno.appeals.choices import EventKind
from okno.appeals.models import Event
from okno.background.tests.conftest import huey_file, start_worker, wait_for  # noqa: F401 - fixtures
from okno.deadlines.calendar import get_calendar
from okno.deadlines.calendar_import import install_default_calendar
from okno.deadlines.choices import TermUnit
from okno.deadlines.models import AppealClock
from okno.deadlines.services import policy_admin
from okno.testing import build_org

pytestmark = [pytest.mark.server]

MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
ANSWER = {"clock": "answer", "term_amount": 15, "term_unit": "working_days", "is_statutory": True}


def test_a_worker_moves_running_deadlines_after_a_policy_edit(huey_file: Path, start_worker) -> None:  # noqa: F811
    install_default_calendar()
    org = build_org()
    org.claims.answer_term_days = 10
    org.claims.save()
    policy = policy_admin.create_policy(
        org.adam, {"code": "complaints", "name": "Жалобы", "kinds": ["complaint"], "is_active": True}, [ANSWER]
    )
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
    cal = get_calendar()
    answer = AppealClock.objects.get(appeal=appeal, clock="answer")
    assert answer.due_at == cal.add(MONDAY, 15, TermUnit.WORKING_DAYS)
    # The tasks of the creation wait in the store and run alongside the next ones (two
    # threads): the appeal's lock keeps two re-plannings from both moving its deadline.
    worker = start_worker(sqlite_path=str(huey_file))

    # A longer term: the worker re-plans the running deadline.
    policy_admin.set_clocks(org.adam, policy.code, [{**ANSWER, "term_amount": 20}])
    longer = cal.add(MONDAY, 20, TermUnit.WORKING_DAYS)
    wait_for(lambda: AppealClock.objects.get(pk=answer.pk).due_at == longer, 30, f"the re-planning:\n{worker.output}")
    appeal.refresh_from_db()
    assert appeal.due_at == longer
    # Moved once, by whichever of the two queued re-plannings (after the creation,
    # after the edit) took the appeal's lock first; each names the policy and who.
    event = Event.objects.get(appeal=appeal, kind=EventKind.DEADLINE_RECOMPUTED)
    assert event.comment in {
        f"Политику сроков «Жалобы» изменил(а) {org.adam.display_name}",
        f"Политику сроков «Жалобы» добавил(а) {org.adam.display_name}",
    }

    # Switched off: the appeal falls back to its queue's term, in calendar days.
    policy_admin.deactivate(org.adam, policy.code)
    fallback = cal.add(MONDAY, 10, TermUnit.CALENDAR_DAYS)
    wait_for(
        lambda: AppealClock.objects.filter(
            appeal=appeal, clock="answer", policy__isnull=True, due_at=fallback
        ).exists(),
        30,
        f"the appeal to leave the policy:\n{worker.output}",
    )
    assert Event.objects.filter(appeal=appeal, kind=EventKind.DEADLINE_RECOMPUTED).count() == 2
    assert worker.stop() == 0
