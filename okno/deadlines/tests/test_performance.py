"""On-time performance ("executive discipline"): the numbers per agent, queue and
department on a small month of work built through the real services, who may read
the report, and that it counts only the appeals its reader may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from okno.appeals import access, services
from okno.appeals.models import Appeal
from okno.core.errors import InvalidInput, PermissionDenied
from okno.deadlines.calendar_import import install_default_calendar
from okno.deadlines.services.performance import Row, on_time_performance, period_of
from okno.deadlines.services.sweep import sweep
from okno.testing import Org

# Monday 2 March 2026, 10:00 in Moscow. A 5-calendar-day term from then ends on
# Saturday 7 March, which moves past the holiday of Monday 9 March to Tuesday 10 March.
MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
MARCH = {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31)}


@pytest.fixture(autouse=True)
def _shipped_calendar(db) -> None:  # type: ignore[no-untyped-def]
    """Transactional tests elsewhere flush what the data migration shipped."""
    install_default_calendar()


@dataclass
class Month:
    """What ``a_month_of_work`` built: the report's "now" and the appeals."""

    now: datetime
    appeals: dict[str, Appeal]


def register(org: Org, when: datetime, actor=None, **fields) -> Appeal:  # type: ignore[no-untyped-def]
    with time_machine.travel(when, tick=False):
        return org.appeal(actor, **fields)


def answer(actor, appeal: Appeal, when: datetime) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(when, tick=False):
        services.reply(actor, appeal, body_text="Ответ по существу обращения.")


def due(appeal: Appeal) -> datetime:
    value = Appeal.objects.get(pk=appeal.pk).due_at
    assert value is not None
    return value


def a_month_of_work(org: Org) -> Month:
    """Claims (department «Претензионный отдел»): Anna answers one appeal on time and
    one late, and one of hers is still open past its deadline; one claim waits
    unassigned. Support (no department): Boris answered one on time and has one due
    today. One appeal without a queue waits. February's answer is outside March."""
    org.claims.answer_term_days = 5
    org.claims.department = "Претензионный отдел"
    org.claims.save()
    org.support.answer_term_days = 5
    org.support.save()

    feb = register(org, MONDAY - timedelta(days=28), assignee=org.anna)
    answer(org.anna, feb, MONDAY - timedelta(days=27))

    on_time = register(org, MONDAY, assignee=org.anna)
    late = register(org, MONDAY, assignee=org.anna)
    overdue = register(org, MONDAY, assignee=org.anna)
    boris_on_time = register(org, MONDAY, org.boris, queue=org.support, assignee=org.boris)
    no_queue = register(org, MONDAY, org.dina, queue=None)
    answer(org.anna, on_time, MONDAY + timedelta(days=1))
    answer(org.boris, boris_on_time, MONDAY + timedelta(days=1))

    deadline = due(late)
    assert deadline.date() == date(2026, 3, 10)
    sweep(deadline + timedelta(hours=1))  # breaches of `late` and `overdue` recorded on 11 March
    answer(org.anna, late, deadline + timedelta(days=1))

    due_today = register(org, MONDAY + timedelta(days=10), org.boris, queue=org.support, assignee=org.boris)
    unassigned = register(org, MONDAY + timedelta(days=14))
    now = due(due_today) - timedelta(hours=2)  # Tuesday 17 March, late evening in Moscow
    assert due(overdue) < now < due(unassigned) < due(no_queue)
    return Month(
        now=now,
        appeals={
            "feb": feb,
            "on_time": on_time,
            "late": late,
            "overdue": overdue,
            "boris_on_time": boris_on_time,
            "no_queue": no_queue,
            "due_today": due_today,
            "unassigned": unassigned,
        },
    )


def numbers(row: Row) -> tuple[int | float | None, ...]:
    """open, due today, overdue, answered, on time, on time %, breaches."""
    return (
        row.open,
        row.due_today,
        row.overdue,
        row.answered,
        row.answered_on_time,
        row.on_time_percent,
        row.breaches,
    )


def report(user, month: Month, group_by: str, **period) -> dict[str, tuple]:  # type: ignore[no-untyped-def, type-arg]
    rows = on_time_performance(user, group_by=group_by, now=month.now, **(period or MARCH))
    assert rows[-1].is_total and not any(r.is_total for r in rows[:-1])
    return {r.name: numbers(r) for r in rows}


def test_per_agent_open_due_today_overdue_and_answers_on_time(org: Org) -> None:
    month = a_month_of_work(org)
    assert report(org.adam, month, "assignee") == {
        # open, due today, overdue, answered, on time, %, breaches
        "Кузнецов Б.": (1, 1, 0, 1, 1, 100.0, 0),
        "Смирнова А.": (1, 0, 1, 2, 1, 50.0, 2),
        "Unassigned": (2, 0, 0, 0, 0, None, 0),
        "Total": (4, 1, 1, 3, 2, 66.7, 2),
    }


def test_rows_are_sorted_by_name_with_the_group_without_one_last(org: Org) -> None:
    month = a_month_of_work(org)
    rows = on_time_performance(org.adam, group_by="assignee", now=month.now, **MARCH)
    assert [r.key for r in rows] == [org.boris.pk, org.anna.pk, None, None]
    assert rows[-1].answered_late == 1


def test_per_queue(org: Org) -> None:
    month = a_month_of_work(org)
    assert report(org.adam, month, "queue") == {
        "Claims": (2, 0, 1, 2, 1, 50.0, 2),
        "Support": (1, 1, 0, 1, 1, 100.0, 0),
        "No queue": (1, 0, 0, 0, 0, None, 0),
        "Total": (4, 1, 1, 3, 2, 66.7, 2),
    }


def test_per_department_puts_queues_without_one_together_with_appeals_without_a_queue(org: Org) -> None:
    month = a_month_of_work(org)
    assert report(org.kira, month, "department") == {
        "Претензионный отдел": (2, 0, 1, 2, 1, 50.0, 2),
        "No department": (2, 1, 0, 1, 1, 100.0, 0),
        "Total": (4, 1, 1, 3, 2, 66.7, 2),
    }


def test_the_period_decides_which_answers_and_breaches_count(org: Org) -> None:
    month = a_month_of_work(org)
    february = {"date_from": date(2026, 2, 1), "date_to": date(2026, 2, 28)}
    rows = report(org.adam, month, "assignee", **february)
    # Open counts are "now" whatever the period; only the February answer is February's.
    assert rows["Смирнова А."] == (1, 0, 1, 1, 1, 100.0, 0)
    # The breaches were recorded on 11 March: one day either side decides.
    assert report(org.adam, month, "queue", date_from=date(2026, 3, 11), date_to=date(2026, 3, 11))["Claims"][-1] == 2
    assert report(org.adam, month, "queue", date_from=date(2026, 3, 12), date_to=date(2026, 3, 31))["Claims"][-1] == 0


def test_the_period_is_whole_days_in_moscow_time(org: Org) -> None:
    """An answer at 01:30 on 3 March in Moscow is still 2 March in UTC: it belongs to 3 March."""
    org.claims.answer_term_days = 5
    org.claims.save()
    appeal = register(org, MONDAY, assignee=org.anna)
    answer(org.anna, appeal, datetime(2026, 3, 2, 22, 30, tzinfo=UTC))
    on_the_2nd = on_time_performance(org.adam, group_by="queue", date_from=date(2026, 3, 2), date_to=date(2026, 3, 2))
    on_the_3rd = on_time_performance(org.adam, group_by="queue", date_from=date(2026, 3, 3), date_to=date(2026, 3, 3))
    assert on_the_2nd[-1].answered == 0
    assert on_the_3rd[-1].answered == 1


def test_a_supervisor_counts_only_the_queues_they_supervise(org: Org) -> None:
    month = a_month_of_work(org)
    # Sergey supervises claims: Boris's support appeals and the appeal without a
    # queue are not his to see, so not his to count.
    assert report(org.sergey, month, "assignee") == {
        "Смирнова А.": (1, 0, 1, 2, 1, 50.0, 2),
        "Unassigned": (1, 0, 0, 0, 0, None, 0),
        "Total": (2, 0, 1, 2, 1, 50.0, 2),
    }
    assert set(report(org.sergey, month, "queue")) == {"Claims", "Total"}


@pytest.mark.parametrize("who", ["anna", "boris", "spec", "dina"])
def test_people_measured_by_the_report_or_dispatching_may_not_read_it(org: Org, who: str) -> None:
    with pytest.raises(PermissionDenied):
        on_time_performance(getattr(org, who), group_by="assignee", **MARCH)


def test_an_inactive_supervisor_may_not_read_it(org: Org) -> None:
    org.sergey.is_active = False
    org.sergey.save()
    with pytest.raises(PermissionDenied):
        on_time_performance(org.sergey, group_by="assignee", **MARCH)


def test_bad_parameters_are_refused_with_the_field_named(org: Org) -> None:
    with pytest.raises(InvalidInput) as bad_group:
        on_time_performance(org.adam, group_by="client", **MARCH)
    assert bad_group.value.field == "group_by"
    with pytest.raises(InvalidInput) as backwards:
        on_time_performance(org.adam, group_by="queue", date_from=date(2026, 3, 2), date_to=date(2026, 3, 1))
    assert backwards.value.field == "date_to"
    with pytest.raises(InvalidInput) as far:
        on_time_performance(org.adam, group_by="queue", date_from=date(2026, 3, 1), date_to=date(9999, 12, 31))
    assert far.value.field == "date_to"


def test_nothing_answered_is_no_percentage_rather_than_zero(org: Org) -> None:
    rows = on_time_performance(org.adam, group_by="assignee", **MARCH)
    assert len(rows) == 1
    assert rows[0].is_total and rows[0].answered == 0 and rows[0].on_time_percent is None


def test_the_report_is_a_few_grouped_queries_however_many_appeals(org: Org, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    month = a_month_of_work(org)
    for _ in range(5):
        register(org, MONDAY, assignee=org.anna)
    access.forget_cached_access(org.sergey)
    with django_assert_max_num_queries(5):  # memberships, open, answered, breaches, names
        on_time_performance(org.sergey, group_by="assignee", now=month.now, **MARCH)
    access.forget_cached_access(org.adam)
    with django_assert_max_num_queries(5):
        on_time_performance(org.adam, group_by="queue", now=month.now, **MARCH)
    access.forget_cached_access(org.adam)
    with django_assert_max_num_queries(4):  # departments need no names
        on_time_performance(org.adam, group_by="department", now=month.now, **MARCH)


@pytest.mark.parametrize(
    ("preset", "today", "expected"),
    [
        ("this_month", date(2026, 2, 14), (date(2026, 2, 1), date(2026, 2, 28))),
        ("last_month", date(2026, 1, 10), (date(2025, 12, 1), date(2025, 12, 31))),
        ("last_month", date(2024, 3, 31), (date(2024, 2, 1), date(2024, 2, 29))),
        ("quarter", date(2026, 5, 20), (date(2026, 4, 1), date(2026, 6, 30))),
        ("quarter", date(2026, 12, 31), (date(2026, 10, 1), date(2026, 12, 31))),
        ("last_quarter", date(2026, 2, 1), (date(2025, 10, 1), date(2025, 12, 31))),
        ("last_quarter", date(2026, 8, 15), (date(2026, 4, 1), date(2026, 6, 30))),
    ],
)
def test_preset_periods(preset: str, today: date, expected: tuple[date, date]) -> None:
    assert period_of(preset, today) == expected


def test_an_unknown_preset_is_refused() -> None:
    with pytest.raises(InvalidInput):
        period_of("fortnight", date(2026, 3, 1))
