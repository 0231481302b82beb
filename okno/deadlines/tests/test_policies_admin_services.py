"""Administering deadline policies: only administrators, only sensible rules, and
every change reaches the deadlines already running (with an event saying why)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from okno.appeals.choices import EventKind
from okno.appeals.models import Event
from okno.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from okno.deadlines.calendar import get_calendar
from okno.deadlines.calendar_import import install_default_calendar
from okno.deadlines.choices import ClockKind, TermUnit
from okno.deadlines.models import AppealClock, DeadlinePolicy, PolicyClock
from okno.deadlines.presets import PRESETS, load_presets
from okno.deadlines.services import policy_admin as admin

# Monday 2 March 2026, 10:00 in Moscow.
MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
ANSWER_15 = {"clock": "answer", "term_amount": 15, "term_unit": "working_days", "is_statutory": True}


@pytest.fixture(autouse=True)
def _shipped_calendar(db) -> None:
    install_default_calendar()  # transactional tests elsewhere flush what migrations shipped


def answer_clock(appeal: Any) -> AppealClock:
    return AppealClock.objects.filter(appeal=appeal, clock=ClockKind.ANSWER).latest("id")


def new_policy(org: Any, **values: Any) -> DeadlinePolicy:
    data = {"code": "complaints", "name": "Жалобы", "kinds": ["complaint"], "is_active": True, **values}
    clocks = data.pop("clocks", [ANSWER_15])
    return admin.create_policy(org.adam, data, clocks)


# --- installer ---------------------------------------------------------------------------


def test_setup_adds_the_presets_once_and_says_how_many(db, settings, capsys):
    settings.DEBUG = True  # no collectstatic
    call_command("setup", "--no-demo")
    assert f"Deadline policy presets: {len(PRESETS)} added" in capsys.readouterr().out
    assert DeadlinePolicy.objects.filter(is_preset=True, is_active=False).count() == len(PRESETS)
    call_command("setup", "--no-demo")
    assert "Deadline policy presets: 0 added" in capsys.readouterr().out
    assert DeadlinePolicy.objects.count() == len(PRESETS)


def test_the_installer_never_undoes_an_administrators_edit(org):
    load_presets()
    admin.update_policy(org.adam, "fz442-financial", {"name": "442-ФЗ, наш вариант", "is_active": True})
    assert load_presets() == 0
    policy = DeadlinePolicy.objects.get(code="fz442-financial")
    assert policy.name == "442-ФЗ, наш вариант" and policy.is_active


# --- permissions -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anna", "sergey", "kira", "dina", "spec"])
def test_only_administrators_change_policies(org, who):
    load_presets()
    user = getattr(org, who)
    calls = [
        lambda: admin.create_policy(user, {"code": "x", "name": "X"}, [ANSWER_15]),
        lambda: admin.update_policy(user, "sla-example", {"name": "Другое"}),
        lambda: admin.set_clocks(user, "sla-example", [ANSWER_15]),
        lambda: admin.activate(user, "sla-example"),
        lambda: admin.deactivate(user, "sla-example"),
        lambda: admin.move(user, "sla-example", "up"),
        lambda: admin.delete_policy(user, "sla-example"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    policy = DeadlinePolicy.objects.get(code="sla-example")
    assert policy.name.startswith("Пример") and not policy.is_active and policy.clocks.count() == 2


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "field", "message"),
    [
        ({**ANSWER_15, "pauses_while_waiting": True}, "pauses_while_waiting", "cannot pause"),
        ({**ANSWER_15, "term_amount": 0}, "term_amount", "at least 1"),
        ({**ANSWER_15, "term_amount": 5000}, "term_amount", "too long"),
        ({**ANSWER_15, "clock": "stage"}, "stage", "stage clock times one status"),
        ({**ANSWER_15, "clock": "stage", "stage": "closed"}, "stage", "stage clock times one status"),
        ({**ANSWER_15, "stage": "in_work"}, "stage", "Only a stage clock"),
        ({**ANSWER_15, "term_unit": "fortnights"}, "term_unit", "Unknown value"),
        ({**ANSWER_15, "calendar": "mars"}, "calendar", "no calendar"),
        ({**ANSWER_15, "penalty_percent_per_day": Decimal("0")}, "penalty_percent_per_day", "above 0"),
        ({**ANSWER_15, "extension_basis": "ст. 12"}, "extension_amount", "length of the extension"),
    ],
)
def test_clocks_that_make_no_sense_are_refused(org, clock, field, message):
    with pytest.raises(InvalidInput) as refused:
        new_policy(org, clocks=[clock])
    assert refused.value.field == f"clocks.0.{field}"
    assert message in refused.value.message and refused.value.message.startswith("Clock 1:")
    assert not DeadlinePolicy.objects.filter(code="complaints").exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"channels": ["pigeon"]}, "channels", "Unknown code “pigeon”"),
        ({"segments": ["vip"]}, "segments", "Unknown code “vip”"),
        ({"priorities": ["urgent"]}, "priorities", "Unknown code “urgent”"),
        ({"kinds": ["nonsense"]}, "kinds", "Unknown code"),
        ({"categories": ["nowhere"]}, "categories", "Unknown code"),
        ({"reminder_percents": [0]}, "reminder_percents", "1 to 99"),
        ({"reminder_percents": [100]}, "reminder_percents", "1 to 99"),
        ({"reminder_percents": ["half"]}, "reminder_percents", "1 to 99"),
        ({"position": 40000}, "position", "0 to 32767"),
        ({"code": "has spaces"}, "code", "letters"),
        ({"breach_reassigns_to": 999_999}, "breach_reassigns_to", "no active user"),
        ({"colour": "red"}, None, "Unknown fields: colour"),
    ],
)
def test_policy_values_that_make_no_sense_are_refused(org, values, field, message):
    with pytest.raises(InvalidInput) as refused:
        new_policy(org, **values)
    assert refused.value.field == field
    assert message in refused.value.message


def test_two_clocks_of_one_kind_are_refused_but_stage_clocks_per_status_are_fine(org):
    with pytest.raises(InvalidInput, match="Clock 2: the policy already has this clock"):
        new_policy(org, clocks=[ANSWER_15, {**ANSWER_15, "term_amount": 20}])
    stages = [
        {"clock": "stage", "stage": "new", "term_amount": 1, "term_unit": "working_days"},
        {"clock": "stage", "stage": "in_work", "term_amount": 5, "term_unit": "working_days"},
    ]
    policy = new_policy(org, clocks=[ANSWER_15, *stages])
    assert sorted(policy.clocks.values_list("clock", "stage")) == [
        ("answer", ""),
        ("stage", "in_work"),
        ("stage", "new"),
    ]


def test_a_duplicate_code_is_refused(org):
    new_policy(org)
    with pytest.raises(InvalidInput) as refused:
        new_policy(org)
    assert refused.value.field == "code"


def test_lists_are_tidied_and_a_new_policy_starts_off_and_last(org):
    load_presets()
    policy = admin.create_policy(
        org.adam,
        {
            "code": "vip",
            "name": "  VIP  клиенты ",
            "segments": ["corporate", "sme", "corporate"],
            "channels": ["mail"],
            "priorities": ["high", "critical"],
            "reminder_percents": [80, 50, 80],
            "categories": [org.cards.code],
            "kinds": [org.complaint, org.request.pk],
        },
        [{"clock": "first_response", "term_amount": 2, "term_unit": "working_hours", "pauses_while_waiting": True}],
    )
    assert policy.name == "VIP клиенты"
    assert policy.segments == ["corporate", "sme"] and policy.reminder_percents == [50, 80]
    assert not policy.is_active
    assert policy.position > max(p.position for p in PRESETS)
    assert set(policy.kinds.all()) == {org.complaint, org.request}
    assert list(policy.categories.all()) == [org.cards]
    first = policy.clocks.get()
    assert (first.day_off_rule, first.counts_from, first.calendar) == ("next", "received", None)


def test_set_clocks_changes_kept_clocks_in_place_and_drops_the_rest(org):
    policy = new_policy(
        org, clocks=[ANSWER_15, {"clock": "registration", "term_amount": 1, "term_unit": "working_days"}]
    )
    answer_id = policy.clocks.get(clock="answer").pk
    admin.set_clocks(
        org.adam,
        policy.code,
        [
            {**ANSWER_15, "term_amount": 20, "extension_amount": 10, "citation": "ст. 1"},
            {"clock": "first_response", "term_amount": 4, "term_unit": "working_hours"},
        ],
    )
    clocks = {c.clock: c for c in PolicyClock.objects.filter(policy=policy)}
    assert set(clocks) == {"answer", "first_response"}
    assert clocks["answer"].pk == answer_id  # running deadlines keep their link
    assert (clocks["answer"].term_amount, clocks["answer"].extension_amount) == (20, 10)


def test_move_swaps_with_the_neighbour_and_renumbers_ties(org):
    load_presets()
    order = lambda: list(DeadlinePolicy.objects.order_by("position", "id").values_list("code", flat=True))  # noqa: E731
    before = order()
    i = before.index("fz442-financial")
    admin.move(org.adam, "fz442-financial", "up")
    after = order()
    assert after[i - 1] == "fz442-financial" and after[i] == before[i - 1]
    admin.move(org.adam, order()[0], "up")  # already first: nothing happens
    assert order() == after
    # Two policies on the same position: moving renumbers everything in tens.
    a = new_policy(org, code="a", position=500)
    b = new_policy(org, code="b", position=500)
    admin.move(org.adam, b.code, "up")
    assert order()[-2:] == ["b", "a"]
    positions = list(DeadlinePolicy.objects.order_by("position").values_list("position", flat=True))
    assert positions == [10 * n for n in range(1, len(positions) + 1)]
    with pytest.raises(InvalidInput):
        admin.move(org.adam, a.code, "sideways")  # type: ignore[arg-type]


def test_deleting_a_preset_or_a_policy_in_use_is_refused(org):
    load_presets()
    with pytest.raises(Conflict, match="switch it off instead"):
        admin.delete_policy(org.adam, "fz59")
    policy = new_policy(org)
    org.appeal()
    with pytest.raises(Conflict, match="1 running deadlines follow this policy"):
        admin.delete_policy(org.adam, policy.code)
    unused = new_policy(org, code="unused", kinds=["request"], is_active=False)
    admin.delete_policy(org.adam, unused.code)
    assert not DeadlinePolicy.objects.filter(code="unused").exists()
    with pytest.raises(NotFound):
        admin.delete_policy(org.adam, "unused")


# --- running deadlines follow ---------------------------------------------------------------


def test_a_longer_term_moves_a_running_deadline_with_an_event(org, django_capture_on_commit_callbacks):
    policy = new_policy(org)
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
    cal = get_calendar()
    assert answer_clock(appeal).due_at == cal.add(MONDAY, 15, TermUnit.WORKING_DAYS)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        admin.set_clocks(org.adam, policy.code, [{**ANSWER_15, "term_amount": 20}])
    assert callbacks  # the re-planning waited for the commit

    appeal.refresh_from_db()
    assert answer_clock(appeal).due_at == cal.add(MONDAY, 20, TermUnit.WORKING_DAYS) == appeal.due_at
    event = Event.objects.get(appeal=appeal, kind=EventKind.DEADLINE_RECOMPUTED)
    # In the installation's language; the name's initial ends the sentence (no "А..").
    assert org.adam.display_name == "Морозов А."
    assert event.comment == "Политику сроков «Жалобы» изменил(а) Морозов А."
    assert event.field == "answer"


def test_nothing_moves_when_the_change_is_rolled_back(org, django_capture_on_commit_callbacks):
    from django.db import transaction

    policy = new_policy(org)
    appeal = org.appeal()
    due = answer_clock(appeal).due_at
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        admin.set_clocks(org.adam, policy.code, [{**ANSWER_15, "term_amount": 20}])
        raise RuntimeError("changed my mind")
    assert callbacks == []
    assert answer_clock(appeal).due_at == due
    assert policy.clocks.get().term_amount == 15


def test_switching_a_policy_off_and_on_moves_open_appeals_with_events(org, django_capture_on_commit_callbacks):
    org.claims.answer_term_days = 10
    org.claims.save()
    policy = new_policy(org)
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal()
        other = org.appeal(kind=org.request)
    cal = get_calendar()
    assert answer_clock(appeal).policy_id == policy.pk

    with django_capture_on_commit_callbacks(execute=True):
        admin.deactivate(org.adam, policy.code)
    answer = answer_clock(appeal)
    assert answer.policy_id is None and answer.due_at == cal.add(MONDAY, 10, TermUnit.CALENDAR_DAYS)
    event = Event.objects.filter(appeal=appeal, kind=EventKind.DEADLINE_RECOMPUTED).latest("id")
    assert event.comment == f"Политику сроков «Жалобы» выключил(а) {org.adam.display_name}"

    with django_capture_on_commit_callbacks(execute=True):
        admin.activate(org.adam, policy.code)
    answer = answer_clock(appeal)
    assert answer.policy_id == policy.pk and answer.due_at == cal.add(MONDAY, 15, TermUnit.WORKING_DAYS)
    on = Event.objects.filter(appeal=appeal).latest("id").comment
    assert on == f"Политику сроков «Жалобы» включил(а) {org.adam.display_name}"
    # A request never matched the policy: its deadline never moved.
    assert not Event.objects.filter(appeal=other, kind=EventKind.DEADLINE_RECOMPUTED).exists()


def test_new_criteria_and_a_new_order_reach_running_appeals(org, django_capture_on_commit_callbacks):
    general = new_policy(org, code="general", kinds=[], position=50)
    cards = new_policy(
        org,
        code="cards",
        kinds=[],
        position=60,
        clocks=[{**ANSWER_15, "term_amount": 30, "term_unit": "calendar_days"}],
    )
    with time_machine.travel(MONDAY, tick=False):
        appeal = org.appeal(category=org.card_fees)
    assert answer_clock(appeal).policy_id == general.pk

    # "cards" goes first: the appeal (any kind, any category) now falls to it.
    with django_capture_on_commit_callbacks(execute=True):
        admin.move(org.adam, cards.code, "up")
    assert answer_clock(appeal).policy_id == cards.pk
    assert answer_clock(appeal).due_at == get_calendar().add(MONDAY, 30, TermUnit.CALENDAR_DAYS)

    # Narrowed to another category, it lets the appeal go back to "general".
    with django_capture_on_commit_callbacks(execute=True):
        admin.update_policy(org.adam, cards.code, {"kinds": ["request"]})
    assert answer_clock(appeal).policy_id == general.pk
    comments = list(
        Event.objects.filter(appeal=appeal, kind=EventKind.DEADLINE_RECOMPUTED).values_list("comment", flat=True)
    )
    assert f"Политику сроков «Жалобы» переместил(а) выше {org.adam.display_name}" in comments
    assert f"Политику сроков «Жалобы» изменил(а) {org.adam.display_name}" in comments


def test_a_change_of_name_alone_re_plans_but_matches_nothing_new(org, django_capture_on_commit_callbacks):
    from okno.background.models import TaskRecord

    policy = new_policy(org)
    with django_capture_on_commit_callbacks(execute=True):
        admin.update_policy(org.adam, policy.code, {"name": "Жалобы (442-ФЗ)"})
    with django_capture_on_commit_callbacks(execute=True):
        admin.update_policy(org.adam, policy.code, {"priorities": ["high"]})
    paths = list(TaskRecord.objects.order_by("enqueued_at").values_list("task_path", flat=True))
    assert paths == [
        "okno.deadlines.tasks.recompute_deadlines",  # the rename
        "okno.deadlines.tasks.recompute_deadlines",  # the new criterion …
        "okno.deadlines.tasks.rematch_deadlines",  # … which may hand appeals to another policy
    ]


def test_a_preset_keeps_its_code_so_the_installer_never_adds_it_twice(org):
    load_presets()
    with pytest.raises(InvalidInput, match="keeps its code") as refused:
        admin.update_policy(org.adam, "fz59", {"code": "citizens"})
    assert refused.value.field == "code"
    admin.update_policy(org.adam, "fz59", {"code": "fz59", "name": "59-ФЗ"})  # the same code is fine
    assert load_presets() == 0
