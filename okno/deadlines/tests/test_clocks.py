"""Clocks follow the appeal: started at registration from the matching policy,
paused while waiting for the client (SLA only), met by the first reply and the
answer, switched when another policy applies, extended once with a notice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from okno.appeals import services
from okno.appeals.choices import Direction, EventKind, Outcome, Status
from okno.appeals.models import Event, Message
from okno.core.errors import Conflict, PermissionDenied
from okno.deadlines.calendar import get_calendar
from okno.deadlines.choices import AlarmKind, ClockKind, ClockState, TermUnit
from okno.deadlines.models import AppealClock, ClockAlarm, DeadlinePolicy
from okno.deadlines.presets import load_presets
from okno.deadlines.services import policies

# Monday 2 March 2026, 10:00 in Moscow: an ordinary working week ahead.
MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def activate(code: str, **criteria: object) -> DeadlinePolicy:
    load_presets()
    policy = DeadlinePolicy.objects.get(code=code)
    policy.is_active = True
    kinds = criteria.pop("kinds", None)
    categories = criteria.pop("categories", None)
    for name, value in criteria.items():
        setattr(policy, name, value)
    policy.save()
    if kinds is not None:
        policy.kinds.set(kinds)  # type: ignore[arg-type]
    if categories is not None:
        policy.categories.set(categories)  # type: ignore[arg-type]
    policies.forget()
    return policy


def clock(appeal, kind=ClockKind.ANSWER) -> AppealClock:
    return AppealClock.objects.filter(appeal=appeal, clock=kind).latest("id")


def test_a_financial_complaint_is_due_in_15_working_days_with_reminders(org):
    activate("fz442-financial")
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
    cal = get_calendar()
    due = cal.add(MONDAY, 15, TermUnit.WORKING_DAYS)
    answer = clock(appeal)
    assert answer.due_at == due == appeal.due_at
    # Monday 2 March + 15 working days (9 March is the day off for 8 March): Tuesday 24 March.
    assert due.astimezone(cal.tz).date().isoformat() == "2026-03-24"
    assert answer.is_statutory and not answer.pauses_while_waiting
    assert answer.citation.startswith("442-ФЗ")
    kinds = sorted(ClockAlarm.objects.filter(clock=answer).values_list("kind", "percent"), key=str)
    assert kinds == sorted(
        [(AlarmKind.REMINDER, 50), (AlarmKind.REMINDER, 80), (AlarmKind.LAST_DAY, None), (AlarmKind.BREACH, None)],
        key=str,
    )
    assert appeal.due_risk_at is not None and MONDAY < appeal.due_risk_at < appeal.due_at


def test_without_a_policy_the_queue_term_applies_in_calendar_days(org):
    org.claims.answer_term_days = 10
    org.claims.save()
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
    assert clock(appeal).policy is None
    assert appeal.due_at == get_calendar().add(MONDAY, 10, TermUnit.CALENDAR_DAYS)


def test_the_first_matching_policy_in_order_wins(org):
    activate("fz442-financial")
    activate("fz161-card-dispute", categories=[org.cards])
    with time_machine.travel(MONDAY, tick=False):
        dispute = org.appeal(category=org.card_fees)  # a subcategory of cards
        other = org.appeal()
    assert clock(dispute).policy.code == "fz161-card-dispute"
    assert clock(other).policy.code == "fz442-financial"


def test_sla_clocks_pause_while_waiting_for_the_client_and_the_first_reply_meets_one(org):
    activate("sla-example")
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
    first = clock(appeal, ClockKind.FIRST_RESPONSE)
    assert first.due_at == get_calendar().add(MONDAY, 4, TermUnit.WORKING_HOURS)  # 14:00 the same day
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        services.reply(org.anna, appeal, body_text="Уточните номер карты", status_after=Status.WAITING_CLIENT)
    first.refresh_from_db()
    assert first.state() == ClockState.MET
    answer = clock(appeal)
    assert answer.paused_since is not None
    due_before = answer.due_at
    # The client answers the next morning: the working hours from Monday 11:00 to
    # Tuesday 10:00 do not count.
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        services.change_status(org.anna, appeal, Status.IN_WORK)
    answer.refresh_from_db()
    waited = get_calendar().working_time_between(MONDAY + timedelta(hours=1), MONDAY + timedelta(days=1))
    assert waited >= timedelta(hours=7)
    assert answer.paused_since is None
    assert answer.paused_seconds == waited.total_seconds()
    assert answer.due_at == get_calendar().add_working_time(due_before, waited)
    kinds = list(Event.objects.filter(appeal=appeal, field="answer").values_list("kind", flat=True))
    assert kinds == [EventKind.DEADLINE_PAUSED, EventKind.DEADLINE_RESUMED]


def test_a_statutory_clock_runs_on_while_waiting_for_the_client(org):
    activate("fz442-financial")
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
        services.change_status(org.anna, appeal, Status.WAITING_CLIENT)
    answer = clock(appeal)
    assert answer.paused_since is None and answer.state(MONDAY) == ClockState.RUNNING


def test_the_answer_meets_the_answer_clock_and_cancelling_stops_everything(org):
    activate("fz442-financial")
    with time_machine.travel(MONDAY, tick=False):
        answered = org.appeal()
        cancelled = org.appeal()
    with time_machine.travel(MONDAY + timedelta(days=3), tick=False):
        services.reply(org.anna, answered, body_text="Комиссию вернули")
        services.close(org.anna, answered, Outcome.SATISFIED)
        services.cancel(org.sergey, cancelled, reason="Ошибочная регистрация")
    assert clock(answered).state() == ClockState.MET
    assert clock(cancelled).state() == ClockState.CANCELLED
    assert not ClockAlarm.objects.filter(clock__appeal__in=[answered, cancelled], fired_at__isnull=True).exists()


def test_a_category_change_switches_the_policy_and_says_why(org):
    activate("fz442-financial")
    activate("fz161-card-dispute-crossborder", categories=[org.card_fees])
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
        before = appeal.due_at
    with time_machine.travel(MONDAY + timedelta(hours=2), tick=False):
        appeal = services.update_fields(org.anna, appeal, {"category": org.card_fees})
    answer = clock(appeal)
    assert answer.policy.code == "fz161-card-dispute-crossborder"
    assert answer.due_at == get_calendar().add(MONDAY, 60, TermUnit.CALENDAR_DAYS) == appeal.due_at != before
    event = Event.objects.get(appeal=appeal, kind=EventKind.DEADLINE_RECOMPUTED)
    # In the installation's language, whatever the language of the person who changed it.
    assert event.comment == "Теперь действует политика сроков: Спорная трансграничная операция по карте (161-ФЗ)."
    assert event.before["value"] and event.after["value"]


def test_a_supervisor_extends_once_and_the_client_is_told(org):
    activate("fz442-financial")
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal(assignee=org.anna)
    answer = clock(appeal)
    with pytest.raises(PermissionDenied):
        services_extend(org.anna, appeal, answer.pk, "Нужен запрос в процессинг")
    with time_machine.travel(MONDAY + timedelta(days=5), tick=False):
        services_extend(org.sergey, appeal, answer.pk, "Нужен запрос в процессинг")
    answer.refresh_from_db()
    assert answer.due_at == get_calendar().add(MONDAY, 25, TermUnit.WORKING_DAYS)
    assert answer.extension_reason == "Нужен запрос в процессинг"
    notice = Message.objects.get(appeal=appeal, direction=Direction.OUTBOUND)
    assert appeal.number in notice.body_text and "Нужен запрос в процессинг" in notice.body_text
    # In the installation's language, the date's «г.» ending the sentence once.
    assert notice.body_text.startswith(
        f"Срок рассмотрения вашего обращения № {appeal.number} продлён до 7 апреля 2026 г.\n\n"
    )
    assert Event.objects.filter(appeal=appeal, kind=EventKind.DEADLINE_EXTENDED).count() == 1
    assert Event.objects.filter(appeal=appeal, kind=EventKind.REPLY_SENT, message=notice).exists()
    with pytest.raises(Conflict):
        services_extend(org.sergey, appeal, answer.pk, "Ещё раз")


def services_extend(actor, appeal, clock_id, reason):
    from okno.deadlines.services.clocks import extend

    return extend(actor, appeal, clock_id, reason=reason)


def test_a_policy_without_extension_refuses_it(org):
    activate("zozpp-22-money")
    appeal = org.appeal()
    with pytest.raises(Conflict):
        services_extend(org.sergey, appeal, clock(appeal).pk, "Хотим больше времени")


def test_a_calendar_correction_moves_running_deadlines_with_an_event(org, django_capture_on_commit_callbacks):
    from okno.deadlines.choices import DayKind
    from okno.deadlines.services import calendars

    activate("fz442-financial")
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
    before = clock(appeal).due_at
    cal = get_calendar()
    # An administrator learns that Wednesday 11 March is a day off in this region.
    with django_capture_on_commit_callbacks(execute=True):
        calendars.set_day(org.adam, cal.id, datetime(2026, 3, 11).date(), DayKind.DAY_OFF, note="Региональный праздник")
    after = clock(appeal).due_at
    assert after.astimezone(cal.tz).date() == cal.next_working_day(before.astimezone(cal.tz).date() + timedelta(days=1))
    appeal.refresh_from_db()
    assert appeal.due_at == after
    event = Event.objects.get(appeal=appeal, kind=EventKind.DEADLINE_RECOMPUTED)
    assert event.comment == "Изменился производственный календарь."


def test_a_reopened_appeal_whose_answer_was_on_time_is_not_overdue(org):
    activate("fz442-financial")
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
    with time_machine.travel(MONDAY + timedelta(days=2), tick=False):
        services.reply(org.anna, appeal, body_text="Ответ дан")
        appeal.refresh_from_db()
        assert appeal.due_at == clock(appeal).due_at  # answered: the deadline stays, for the record
        services.reopen(org.anna, appeal, comment="Клиент не согласен")
    appeal.refresh_from_db()
    assert clock(appeal).state() == ClockState.MET
    assert appeal.due_at is None and not appeal.is_overdue


def test_a_policy_edit_reaches_the_article_of_running_deadlines(org):
    from okno.deadlines.services.clocks import recompute_appeal

    policy = activate("zozpp-22-money")
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
    pc = policy.clocks.get()
    pc.citation = "ЗоЗПП, ст. 22 (в новой редакции)"
    pc.penalty_percent_per_day = Decimal("0.50")
    pc.save()
    assert recompute_appeal(appeal, reason="Политика изменена") == 0  # the term is the same: nothing moved
    answer = clock(appeal)
    assert answer.citation == "ЗоЗПП, ст. 22 (в новой редакции)"
    assert answer.penalty_percent_per_day == Decimal("0.50")
