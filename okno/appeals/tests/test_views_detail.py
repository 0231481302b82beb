"""The appeal page, its live fragments and attachment downloads: who sees what."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import override

from okno.appeals import services
from okno.appeals.choices import Status
from okno.appeals.models import Appeal, Attachment
from okno.appeals.services import InboundContent, IncomingFile
from okno.testing import Org

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def logged_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def appeal_with_file(org: Org, name: str = "Претензия №1.pdf") -> tuple[Appeal, Attachment]:
    appeal = org.appeal(files=[IncomingFile(name=name, content=PDF)])
    return appeal, Attachment.objects.get(appeal=appeal)


@pytest.mark.parametrize("persona", ["anna", "sergey", "dina", "kira", "adam"])
def test_page_renders_for_those_who_see_it(client: Client, org: Org, persona: str) -> None:
    appeal = org.appeal(description="Клиент просит вернуть комиссию.")
    response = logged_in(client, getattr(org, persona)).get(reverse("appeals:detail", args=[appeal.number]))
    assert response.status_code == 200
    html = response.content.decode()
    assert appeal.number in html and appeal.subject in html
    assert f'hx-trigger="sse:appeal-{appeal.pk} delay:150ms, okno:refresh"' in html


def test_agent_outside_the_queue_gets_404_everywhere(client: Client, org: Org) -> None:
    appeal, attachment = appeal_with_file(org)
    message = services.reply(org.anna, appeal, body_text="Ответ")
    logged_in(client, org.boris)
    gets = [
        reverse("appeals:detail", args=[appeal.number]),
        reverse("appeals:header", args=[appeal.number]),
        reverse("appeals:timeline", args=[appeal.number]),
        reverse("appeals:actions", args=[appeal.number]),
        reverse("appeals:attachment", args=[attachment.pk, attachment.filename]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = {
        "take": {},
        "assign": {"assignee": org.boris.pk},
        "status": {"status": "in_work"},
        "fields": {"subject": "x", "kind": org.complaint.pk, "priority": "low"},
        "client": {"client": ""},
        "close": {"outcome": "explained"},
        "reopen": {},
        "cancel": {"reason": "спам"},
        "merge": {"target": appeal.number},
        "link": {"other": appeal.number, "kind": "related"},
        "unlink": {"other": appeal.number},
        "subcase": {"subject": "x"},
        "reply": {"body_text": "x", "status_after": "answered"},
        "note": {"body_text": "x"},
    }
    for name, data in posts.items():
        response = client.post(reverse(f"appeals:{name}", args=[appeal.number]), data, HTTP_HX_REQUEST="true")
        assert response.status_code == 404, name
    for name in ("approve", "return", "revise"):
        response = client.post(reverse(f"appeals:{name}", args=[appeal.number, message.pk]), {"comment": "x"})
        assert response.status_code == 404, name
    assert Appeal.objects.get(pk=appeal.pk).assignee_id is None


def test_compliance_sees_but_has_no_actions(client: Client, org: Org) -> None:
    appeal = org.appeal()
    html = logged_in(client, org.kira).get(reverse("appeals:detail", args=[appeal.number])).content.decode()
    assert appeal.subject in html
    for marker in ('id="take-it"', 'id="reply-form"', 'id="note-form"', 'id="act-assign"', "act-close"):
        assert marker not in html
    assert 'id="appeal-actions"' in html


def test_actions_shown_follow_the_rights(client: Client, org: Org) -> None:
    appeal = org.appeal()
    anna = logged_in(client, org.anna).get(reverse("appeals:detail", args=[appeal.number])).content.decode()
    assert 'id="act-assign"' in anna and 'id="reply-form"' in anna
    assert 'id="act-cancel"' not in anna  # agents do not cancel
    sergey = logged_in(Client(), org.sergey).get(reverse("appeals:detail", args=[appeal.number])).content.decode()
    assert 'id="act-cancel"' in sergey


def test_timeline_shows_messages_and_events(client: Client, org: Org) -> None:
    appeal = org.appeal(
        content=InboundContent(body_html='<p>Добрый день!</p><script>alert(1)</script><p onclick="x()">Вторая</p>'),
    )
    services.add_note(org.anna, appeal, body_text="Первая строка\nвторая строка")
    services.assign(org.anna, appeal, org.anna)
    services.change_status(org.anna, appeal, "in_work")
    html = logged_in(client, org.anna).get(reverse("appeals:timeline", args=[appeal.number])).content.decode()
    assert "<p>Добрый день!</p>" in html
    assert "<script>alert" not in html and "onclick" not in html
    assert "Первая строка<br>вторая строка" in html
    assert "okno-message-inbound" in html and "okno-message-note" in html
    assert 'data-kind="assigned"' in html and 'data-kind="status_changed"' in html
    # The status change reads with today's (Russian) labels, not the stored codes.
    with override("ru"):
        assert str(Status.NEW.label) in html and str(Status.IN_WORK.label) in html
    assert "in_work" not in html.split('data-kind="status_changed"')[1].split("</div>")[0]


def test_reply_awaiting_approval_and_returned(client: Client, org: Org) -> None:
    org.claims.requires_reply_approval = True
    org.claims.save()
    appeal = org.appeal()
    message = services.reply(org.anna, appeal, body_text="Проект ответа")
    anna_html = logged_in(client, org.anna).get(reverse("appeals:timeline", args=[appeal.number])).content.decode()
    assert 'data-approval="pending"' in anna_html
    assert reverse("appeals:approve", args=[appeal.number, message.pk]) not in anna_html
    sergey = logged_in(Client(), org.sergey)
    sergey_html = sergey.get(reverse("appeals:timeline", args=[appeal.number])).content.decode()
    assert reverse("appeals:approve", args=[appeal.number, message.pk]) in sergey_html
    services.return_reply(org.sergey, message, comment="Добавьте номер договора")
    anna_html = client.get(reverse("appeals:timeline", args=[appeal.number])).content.decode()
    assert 'data-approval="returned"' in anna_html
    assert "Добавьте номер договора" in anna_html
    assert reverse("appeals:revise", args=[appeal.number, message.pk]) in anna_html


def test_attachment_download(client: Client, org: Org) -> None:
    _appeal, attachment = appeal_with_file(org)
    response = logged_in(client, org.anna).get(reverse("appeals:attachment", args=[attachment.pk, attachment.filename]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition and "%D0%9F" in disposition  # «П», RFC 5987
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Type"] == "application/pdf"


def test_attachment_of_a_compliance_reader_and_unknown_ids(client: Client, org: Org) -> None:
    _appeal, attachment = appeal_with_file(org)
    logged_in(client, org.kira)
    assert client.get(reverse("appeals:attachment", args=[attachment.pk, attachment.filename])).status_code == 200
    assert client.get(reverse("appeals:attachment", args=[attachment.pk + 999, "x.pdf"])).status_code == 404


def test_header_lists_subcases_links_and_merges(client: Client, org: Org) -> None:
    parent = org.appeal()
    sub = services.create_subcase(org.anna, parent, subject="Проверка в отделе карт")
    other = org.appeal()
    services.link(org.anna, parent, other)
    merged = org.appeal()
    services.merge(org.anna, merged, parent)
    html = logged_in(client, org.anna).get(reverse("appeals:header", args=[parent.number])).content.decode()
    assert sub.number in html and other.number in html and merged.number in html
    merged_html = client.get(reverse("appeals:header", args=[merged.number])).content.decode()
    assert reverse("appeals:detail", args=[parent.number]) in merged_html


def test_unknown_number_is_404(client: Client, org: Org) -> None:
    assert logged_in(client, org.adam).get("/appeals/2020-999999/").status_code == 404


def test_subcategory_options(client: Client, org: Org) -> None:
    html = (
        logged_in(client, org.anna).get(reverse("appeals:subcategories"), {"category": org.cards.pk}).content.decode()
    )
    assert f'value="{org.card_fees.pk}"' in html
    assert logged_in(client, org.anna).get(reverse("appeals:subcategories"), {"category": "x"}).status_code == 200
