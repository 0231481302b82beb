"""The demo's saved reports are created for the demo's compliance officer and supervisor."""

from __future__ import annotations

from okno.accounts.choices import Role
from okno.core.demo.reports import SAVED, setup_saved_reports
from okno.reports.models import SavedReport
from okno.testing import make_user


def test_the_demo_keeps_saved_reports_and_schedules(db) -> None:  # type: ignore[no-untyped-def]
    make_user("compliance", Role.COMPLIANCE, email="kira@bank.test")
    make_user("supervisor", Role.SUPERVISOR)  # no address: nothing of hers is mailed
    assert setup_saved_reports() == len(SAVED)
    mailed = SavedReport.objects.exclude(schedule="off")
    assert {(r.owner.username, r.schedule, tuple(r.recipients)) for r in mailed} == {
        ("compliance", "monthly", ("kira@bank.test",)),
        ("compliance", "daily", ("kira@bank.test",)),
    }
    assert all(r.next_run_at is not None for r in mailed)
