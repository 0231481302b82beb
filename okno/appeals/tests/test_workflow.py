"""The status lifecycle: transitions, close with outcome, reopen, cancel, merge."""

import pytest

from okno.appeals import services
from okno.appeals.choices import EventKind, Outcome, Status
from okno.appeals.models import Appeal
from okno.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied


def test_status_moves_along_the_lifecycle_and_each_move_is_an_event(org):
    appeal = org.appeal()
    services.change_status(org.anna, appeal, Status.IN_WORK)
    services.change_status(org.anna, appeal, Status.WAITING_CLIENT, comment="Запросили выписку")
    event = appeal.events.filter(kind=EventKind.STATUS_CHANGED).last()
    assert (event.before["value"], event.after["value"], event.comment) == (
        Status.IN_WORK,
        Status.WAITING_CLIENT,
        "Запросили выписку",
    )


def test_closing_through_change_status_is_refused_with_a_hint(org):
    appeal = org.appeal()
    with pytest.raises(Conflict, match="outcome"):
        services.change_status(org.anna, appeal, Status.CLOSED)


def test_unknown_status_is_invalid_input(org):
    with pytest.raises(InvalidInput):
        services.change_status(org.anna, org.appeal(), "done")


def test_close_needs_an_outcome_and_records_it(org):
    appeal = org.appeal()
    with pytest.raises(InvalidInput):
        services.close(org.anna, appeal, "")
    closed = services.close(org.anna, appeal, Outcome.PARTLY_SATISFIED, comment="Вернули половину")
    assert closed.status == Status.CLOSED and closed.outcome == Outcome.PARTLY_SATISFIED
    assert closed.closed_at is not None
    with pytest.raises(Conflict):
        services.close(org.anna, appeal, Outcome.SATISFIED)


def test_close_waits_for_open_subcases(org):
    parent = org.appeal()
    sub = services.create_subcase(org.anna, parent, subject="Проверка в процессинге")
    with pytest.raises(Conflict, match=sub.number):
        services.close(org.anna, parent, Outcome.EXPLAINED)
    services.close(org.anna, sub, Outcome.EXPLAINED)
    assert services.close(org.anna, parent, Outcome.EXPLAINED).status == Status.CLOSED


def test_reopen_brings_a_closed_appeal_back_into_work(org):
    appeal = services.close(org.anna, org.appeal(), Outcome.REFUSED)
    reopened = services.reopen(org.anna, appeal, comment="Клиент прислал документы")
    assert reopened.status == Status.IN_WORK
    assert reopened.outcome == "" and reopened.closed_at is None and reopened.reopen_count == 1
    with pytest.raises(Conflict):
        services.reopen(org.anna, appeal)


def test_cancel_needs_a_reason_and_the_right_role(org):
    appeal = org.appeal()
    with pytest.raises(PermissionDenied):
        services.cancel(org.anna, appeal, reason="Спам")
    with pytest.raises(InvalidInput):
        services.cancel(org.sergey, appeal, reason="  ")
    cancelled = services.cancel(org.sergey, appeal, reason="Спам")
    assert cancelled.status == Status.CANCELLED
    assert appeal.events.get(kind=EventKind.CANCELLED).comment == "Спам"


def test_only_a_canceller_may_reopen_a_cancelled_appeal(org):
    appeal = services.cancel(org.dina, org.appeal(), reason="Ошибочно зарегистрировано")
    with pytest.raises(PermissionDenied):
        services.reopen(org.anna, appeal)
    assert services.reopen(org.sergey, appeal).status == Status.IN_WORK


def test_merge_moves_the_thread_and_ends_the_source(org):
    target = org.appeal(subject="Комиссия за карту")
    source = org.appeal(subject="Повторно о комиссии")
    services.add_message(org.anna, source, body_text="Пишу второй раз")
    sub = services.create_subcase(org.anna, source, subject="Запрос в процессинг")
    services.merge(org.anna, source, target, comment="Дубликат")

    source.refresh_from_db()
    assert source.status == Status.MERGED and source.merged_into == target
    assert list(target.messages.values_list("body_text", flat=True)) == ["Пишу второй раз"]
    assert Appeal.objects.get(pk=sub.pk).parent == target
    assert target.events.filter(kind=EventKind.MERGED_FROM, related_appeal=source).exists()
    assert source.events.filter(kind=EventKind.MERGED_INTO).exists()


def test_merge_refuses_different_clients_and_itself(org):
    from okno.clients.services import create_client

    other = create_client(None, name="Петров Пётр")
    a, b = org.appeal(), org.appeal(client=other)
    with pytest.raises(Conflict, match="different clients"):
        services.merge(org.anna, a, b)
    with pytest.raises(InvalidInput):
        services.merge(org.anna, a, a)


def test_merge_refuses_a_final_target(org):
    target = services.close(org.anna, org.appeal(), Outcome.SATISFIED)
    with pytest.raises(Conflict, match="reopen"):
        services.merge(org.anna, org.appeal(), target)


def test_a_message_to_a_merged_appeal_lands_on_the_target(org):
    target, source = org.appeal(), org.appeal()
    services.merge(org.anna, source, target)
    message = services.add_message(org.anna, source, body_text="Ещё вопрос")
    assert message.appeal_id == target.pk


def test_an_agent_outside_the_queue_cannot_even_learn_the_appeal_exists(org):
    appeal = org.appeal()
    with pytest.raises(NotFound):
        services.change_status(org.boris, appeal, Status.IN_WORK)
    with pytest.raises(NotFound):
        services.close(org.boris, appeal, Outcome.SATISFIED)


def test_the_compliance_officer_sees_but_cannot_change(org):
    appeal = org.appeal()
    with pytest.raises(PermissionDenied):
        services.change_status(org.kira, appeal, Status.IN_WORK)
