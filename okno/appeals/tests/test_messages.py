"""Inbound messages, replies with and without approval, notes."""

import pytest

from okno.appeals import services
from okno.appeals.choices import ApprovalStatus, DeliveryStatus, Direction, EventKind, Outcome, Status
from okno.core.errors import Conflict, InvalidInput, PermissionDenied


def test_a_reply_answers_the_appeal_and_sets_the_first_response_once(org):
    appeal = org.appeal()
    first = services.reply(org.anna, appeal, body_text="Проверяем")
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED
    assert appeal.first_response_at == first.sent_at
    services.reply(org.anna, appeal, body_text="Дополнение", status_after=Status.WAITING_CLIENT)
    appeal.refresh_from_db()
    assert appeal.first_response_at == first.sent_at
    assert appeal.status == Status.WAITING_CLIENT


def test_a_reply_on_a_channel_without_a_sender_is_recorded_as_given(org):
    message = services.reply(org.anna, org.appeal(), body_text="Ответили по телефону")
    assert message.delivery_status == DeliveryStatus.SENT and message.direction == Direction.OUTBOUND


def test_an_empty_reply_is_refused(org):
    with pytest.raises(InvalidInput):
        services.reply(org.anna, org.appeal(), body_text="  ", body_html="<p> </p>")


def test_no_reply_to_a_closed_appeal(org):
    appeal = services.close(org.anna, org.appeal(), Outcome.EXPLAINED)
    with pytest.raises(Conflict, match="reopen"):
        services.reply(org.anna, appeal, body_text="Ещё")


def test_the_client_writing_again_reopens_an_answered_appeal(org):
    appeal = org.appeal()
    services.reply(org.anna, appeal, body_text="Готово")
    services.add_message(org.anna, appeal, body_text="Не готово")
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_WORK and appeal.reopen_count == 1


def test_the_client_answering_puts_a_waiting_appeal_back_into_work(org):
    appeal = org.appeal()
    services.change_status(org.anna, appeal, Status.WAITING_CLIENT)
    message = services.add_message(org.anna, appeal, body_text="Выписка во вложении")
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_WORK
    assert message.author is None and message.author_client == org.ivan


class TestApproval:
    @pytest.fixture
    def appeal(self, org):
        org.claims.requires_reply_approval = True
        org.claims.save()
        return org.appeal()

    def test_an_agents_reply_waits_and_nothing_leaves(self, org, appeal):
        message = services.reply(org.anna, appeal, body_text="Отказываем")
        appeal.refresh_from_db()
        assert message.approval_status == ApprovalStatus.PENDING
        assert message.delivery_status == DeliveryStatus.HELD and message.sent_at is None
        assert appeal.status == Status.NEW and appeal.first_response_at is None
        assert appeal.events.filter(kind=EventKind.REPLY_SUBMITTED).exists()

    def test_approval_releases_it_and_answers_the_appeal(self, org, appeal):
        message = services.reply(org.anna, appeal, body_text="Отказываем", status_after=Status.WAITING_CLIENT)
        services.approve_reply(org.sergey, message, comment="Ок")
        message.refresh_from_db()
        appeal.refresh_from_db()
        assert message.approval_status == ApprovalStatus.APPROVED and message.approved_by == org.sergey
        assert message.delivery_status == DeliveryStatus.SENT
        assert appeal.status == Status.WAITING_CLIENT and appeal.first_response_at == message.sent_at
        kinds = list(appeal.events.values_list("kind", flat=True))
        assert kinds[-3:] == [EventKind.REPLY_APPROVED, EventKind.REPLY_SENT, EventKind.STATUS_CHANGED]

    def test_return_then_revise_then_approve(self, org, appeal):
        message = services.reply(org.anna, appeal, body_text="Черновик")
        with pytest.raises(InvalidInput):
            services.return_reply(org.sergey, message, comment="")
        services.return_reply(org.sergey, message, comment="Сошлитесь на пункт 5.2 договора")
        message.refresh_from_db()
        assert message.approval_status == ApprovalStatus.RETURNED
        assert message.approval_comment == "Сошлитесь на пункт 5.2 договора"
        with pytest.raises(Conflict):
            services.approve_reply(org.sergey, message)
        services.revise_reply(org.anna, message, body_text="Согласно п. 5.2 договора …")
        services.approve_reply(org.sergey, message)
        message.refresh_from_db()
        assert message.body_text.startswith("Согласно") and message.delivery_status == DeliveryStatus.SENT

    def test_an_agent_cannot_approve_and_a_foreign_supervisor_cannot_either(self, org, appeal):
        message = services.reply(org.anna, appeal, body_text="Текст")
        with pytest.raises(PermissionDenied):
            services.approve_reply(org.anna, message)
        from okno.accounts.choices import Role
        from okno.testing import make_user

        other_supervisor = make_user("olga", Role.SUPERVISOR, org.support)
        from okno.core.errors import NotFound

        with pytest.raises(NotFound):
            services.approve_reply(other_supervisor, message)

    def test_a_supervisors_own_reply_needs_no_approval(self, org, appeal):
        message = services.reply(org.sergey, appeal, body_text="Отвечаю сам")
        assert message.approval_status == ApprovalStatus.NOT_REQUIRED
        assert message.delivery_status == DeliveryStatus.SENT

    def test_the_kind_can_require_approval_too(self, org):
        org.complaint.requires_reply_approval = True
        org.complaint.save()
        message = services.reply(org.boris, org.appeal(queue=org.support), body_text="Ответ")
        assert message.approval_status == ApprovalStatus.PENDING

    def test_the_appeal_cannot_close_while_a_reply_waits(self, org, appeal):
        services.reply(org.anna, appeal, body_text="Ответ")
        with pytest.raises(Conflict, match="approval"):
            services.close(org.sergey, appeal, Outcome.SATISFIED)


def test_a_note_is_internal_and_an_event(org):
    appeal = org.appeal()
    note = services.add_note(org.anna, appeal, body_text="Клиент раздражён, говорить мягко")
    assert note.direction == Direction.NOTE
    assert appeal.events.filter(kind=EventKind.NOTE_ADDED, message=note).exists()
    appeal.refresh_from_db()
    assert appeal.first_response_at is None


def test_notes_are_not_searchable_but_messages_are(org):
    from okno.appeals.models import Appeal
    from okno.appeals.services.search import filter_text

    appeal = org.appeal()
    services.add_note(org.anna, appeal, body_text="секретнаязаметка")
    services.add_message(org.anna, appeal, body_text="Прошу вернуть деньги")
    assert not filter_text(Appeal.objects.all(), "секретнаязаметка").exists()
    assert filter_text(Appeal.objects.all(), "деньгами").get() == appeal
