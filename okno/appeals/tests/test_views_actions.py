"""Actions on the appeal page: each calls its service, answers htmx with the
refreshed parts, and shows refusals as messages without changing anything."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from okno.appeals import services
from okno.appeals.choices import ApprovalStatus, Direction, Outcome, Status
from okno.appeals.models import Appeal, AppealLink, Attachment, Message
from okno.testing import Org

HTMX = {"HTTP_HX_REQUEST": "true"}


def post(client: Client, name: str, appeal: Appeal, data: dict | None = None, *args, htmx: bool = True):
    url = reverse(f"appeals:{name}", args=[appeal.number, *args])
    return client.post(url, data or {}, **(HTMX if htmx else {}))


def logged_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def test_take_it_refreshes_the_parts_out_of_band(client: Client, org: Org) -> None:
    appeal = org.appeal()
    response = post(logged_in(client, org.anna), "take", appeal)
    assert response.status_code == 200
    html = response.content.decode()
    for part in ("appeal-header", "appeal-actions", "appeal-timeline"):
        assert f'id="{part}" class' in html or f'id="{part}"' in html
    assert html.count('hx-swap-oob="true"') == 3
    assert 'id="messages" hx-swap-oob="afterbegin"' in html
    assert Appeal.objects.get(pk=appeal.pk).assignee == org.anna


def test_plain_form_post_redirects_back(client: Client, org: Org) -> None:
    appeal = org.appeal()
    response = post(logged_in(client, org.anna), "take", appeal, htmx=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:detail", args=[appeal.number])


@pytest.mark.parametrize(
    ("name", "data", "check"),
    [
        ("status", {"status": "waiting_client"}, lambda a, org: a.status == Status.WAITING_CLIENT),
        ("close", {"outcome": "satisfied", "comment": "Вернули"}, lambda a, org: a.outcome == Outcome.SATISFIED),
        ("cancel", {"reason": "Спам"}, lambda a, org: a.status == Status.CANCELLED),
        ("assign", {"assignee": "sergey"}, lambda a, org: a.assignee == org.sergey),
        ("client", {"client": ""}, lambda a, org: a.client is None),
    ],
)
def test_actions_change_the_appeal(client: Client, org: Org, name: str, data: dict, check) -> None:
    appeal = org.appeal()
    if data.get("assignee") == "sergey":
        data = {"assignee": org.sergey.pk}
    response = post(logged_in(client, org.sergey), name, appeal, data)
    assert response.status_code == 200, response.content
    assert check(Appeal.objects.get(pk=appeal.pk), org)


def test_fields_with_category_subcategory_and_tags(client: Client, org: Org) -> None:
    appeal = org.appeal()
    data = {
        "subject": "Новая тема",
        "kind": org.request.pk,
        "category": org.cards.pk,
        "subcategory": org.card_fees.pk,
        "product": org.debit_card.pk,
        "priority": "high",
        "queue": org.claims.pk,
        "tags": "срочно, повторное",
        "description": "Подробности",
    }
    assert post(logged_in(client, org.anna), "fields", appeal, data).status_code == 200
    appeal.refresh_from_db()
    assert (appeal.subject, appeal.kind, appeal.category, appeal.priority) == (
        "Новая тема",
        org.request,
        org.card_fees,
        "high",
    )
    assert sorted(appeal.tags.values_list("name", flat=True)) == ["повторное", "срочно"]
    # A subcategory of another category is refused by the form.
    other = org.cards.__class__.objects.create(code="loans", name="Кредиты")
    bad = {**data, "category": other.pk}
    response = post(client, "fields", appeal, bad)
    assert response.status_code == 400
    assert b"alert-danger" in response.content


def test_reopen_after_close(client: Client, org: Org) -> None:
    appeal = org.appeal()
    services.close(org.anna, appeal, Outcome.REFUSED)
    assert post(logged_in(client, org.anna), "reopen", appeal).status_code == 200
    assert Appeal.objects.get(pk=appeal.pk).status == Status.IN_WORK


def test_service_refusals_are_messages_and_change_nothing(client: Client, org: Org) -> None:
    appeal = org.appeal()
    logged_in(client, org.anna)
    response = post(client, "close", appeal, {})
    assert response.status_code == 400  # the form: no outcome
    services.close(org.anna, appeal, Outcome.EXPLAINED)
    response = post(client, "close", appeal, {"outcome": "refused"})
    assert response.status_code == 409  # the service: already closed
    html = response.content.decode()
    assert 'id="messages" hx-swap-oob="afterbegin"' in html and "alert-danger" in html
    assert 'id="appeal-header"' not in html  # nothing typed elsewhere is lost
    assert Appeal.objects.get(pk=appeal.pk).outcome == Outcome.EXPLAINED
    # An agent may not cancel: 403 with the service's words.
    other = org.appeal()
    response = post(client, "cancel", other, {"reason": "Спам"})
    assert response.status_code == 403
    assert Appeal.objects.get(pk=other.pk).status == Status.NEW


def test_compliance_cannot_act(client: Client, org: Org) -> None:
    appeal = org.appeal()
    logged_in(client, org.kira)
    for name, data in (("take", {}), ("note", {"body_text": "x"}), ("close", {"outcome": "refused"})):
        response = post(client, name, appeal, data)
        assert response.status_code == 403, name
    assert not Message.objects.filter(appeal=appeal).exists()
    assert Appeal.objects.get(pk=appeal.pk).status == Status.NEW


def test_views_call_exactly_the_service(client: Client, org: Org) -> None:
    appeal = org.appeal()
    logged_in(client, org.anna)
    with mock.patch("okno.appeals.services.change_status", wraps=services.change_status) as spy:
        post(client, "status", appeal, {"status": "in_work", "comment": "Беру"})
    spy.assert_called_once()
    assert spy.call_args.kwargs == {"comment": "Беру"}


def test_reply_with_file_and_status_after(client: Client, org: Org) -> None:
    appeal = org.appeal()
    upload = SimpleUploadedFile("ответ.txt", "Текст ответа".encode(), content_type="text/plain")
    response = post(
        logged_in(client, org.anna),
        "reply",
        appeal,
        {"body_text": "Здравствуйте! Комиссию вернём.", "status_after": "waiting_client", "files": [upload]},
    )
    assert response.status_code == 200
    assert b'id="appeal-composer"' in response.content  # the composer comes back empty
    message = Message.objects.get(appeal=appeal, direction=Direction.OUTBOUND)
    assert message.body_text == "Здравствуйте! Комиссию вернём."
    assert Attachment.objects.get(message=message).filename.endswith(".txt")
    assert Appeal.objects.get(pk=appeal.pk).status == Status.WAITING_CLIENT
    assert "Комиссию вернём" in response.content.decode()


def test_note_and_an_empty_note(client: Client, org: Org) -> None:
    appeal = org.appeal()
    logged_in(client, org.anna)
    assert post(client, "note", appeal, {"body_text": "Позвонить клиенту завтра"}).status_code == 200
    assert Message.objects.filter(appeal=appeal, direction=Direction.NOTE).count() == 1
    response = post(client, "note", appeal, {"body_text": "   "})
    assert response.status_code == 400
    assert b'id="appeal-composer"' not in response.content


def test_merge_link_unlink_subcase(client: Client, org: Org) -> None:
    source, target, other = org.appeal(), org.appeal(), org.appeal()
    logged_in(client, org.anna)
    assert post(client, "link", source, {"other": other.number, "kind": "duplicate"}).status_code == 200
    assert AppealLink.objects.filter(source=source, target=other, kind="duplicate").exists()
    assert post(client, "unlink", source, {"other": other.number}).status_code == 200
    assert not AppealLink.objects.exists()
    response = post(client, "subcase", source, {"subject": "Запрос в отдел карт", "queue": org.claims.pk})
    assert response.status_code == 200
    assert Appeal.objects.filter(parent=source, subject="Запрос в отдел карт").exists()
    # Merging into an appeal that does not exist (or cannot be seen) is bad input.
    foreign = org.appeal(actor=org.boris, queue=org.support, client=None)
    response = post(client, "merge", target, {"target": foreign.number})
    assert response.status_code == 400
    assert foreign.number in response.content.decode()
    response = post(client, "merge", target, {"target": other.number})
    assert response.status_code == 200
    assert Appeal.objects.get(pk=target.pk).status == Status.MERGED


def test_approval_cycle(client: Client, org: Org) -> None:
    org.claims.requires_reply_approval = True
    org.claims.save()
    appeal = org.appeal()
    anna = logged_in(client, org.anna)
    post(anna, "reply", appeal, {"body_text": "Проект ответа", "status_after": "answered"})
    message = Message.objects.get(appeal=appeal, direction=Direction.OUTBOUND)
    assert message.approval_status == ApprovalStatus.PENDING
    # The author cannot approve her own reply.
    assert post(anna, "approve", appeal, {}, message.pk).status_code == 403
    sergey = logged_in(Client(), org.sergey)
    assert post(sergey, "return", appeal, {}, message.pk).status_code == 400  # a comment is required
    assert post(sergey, "return", appeal, {"comment": "Уточните сумму"}, message.pk).status_code == 200
    message.refresh_from_db()
    assert message.approval_status == ApprovalStatus.RETURNED
    assert post(anna, "revise", appeal, {"body_text": "Вернём 1 200 ₽"}, message.pk).status_code == 200
    assert post(sergey, "approve", appeal, {}, message.pk).status_code == 200
    message.refresh_from_db()
    assert message.approval_status == ApprovalStatus.APPROVED
    assert Appeal.objects.get(pk=appeal.pk).status == Status.ANSWERED
    # A message of another appeal is not found through this one.
    assert post(sergey, "approve", org.appeal(), {}, message.pk).status_code == 404


def test_moving_out_of_sight_sends_back_to_the_inbox(client: Client, org: Org) -> None:
    appeal = org.appeal()
    data = {"subject": appeal.subject, "kind": org.complaint.pk, "priority": "normal", "queue": org.support.pk}
    response = post(logged_in(client, org.anna), "fields", appeal, data)
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("appeals:inbox")
