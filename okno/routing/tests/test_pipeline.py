"""Routing at registration: every appeal gets its routing record, and a failure
of the rules costs no appeal (it waits for the dispatcher, and says why)."""

from __future__ import annotations

from typing import Any

import pytest

from okno.appeals.choices import Channel, EventKind
from okno.appeals.models import Event
from okno.appeals.services import SystemActor
from okno.appeals.services.registration import InboundContent, Registration, register_appeals
from okno.routing import language
from okno.routing.models import AppealRouting

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Прошу вернуть деньги за карту", "ru"),
        ("Please refund the card fee", "en"),
        ("Договор 12-345, ref. ABC-77: прошу проверить платёж", "ru"),
        ("При входе в приложение ошибка Error 500 Internal Server Error", "ru"),
        ("Error 500 при входе in the mobile app, screenshot attached", "en"),
        ("12345 — 678", ""),
    ],
)
def test_language_is_told_by_the_letters(text: str, expected: str) -> None:
    assert language.detect(text) == expected


def test_each_registered_appeal_gets_its_routing_record(org: Any) -> None:
    appeals = register_appeals(
        SystemActor("mail"),
        [
            Registration(subject="Карта", channel=Channel.MAIL, content=InboundContent(body_text="Верните комиссию")),
            Registration(subject="Card", channel=Channel.MAIL, content=InboundContent(body_text="Refund the fee")),
        ],
    )
    records = {r.appeal_id: r for r in AppealRouting.objects.all()}
    assert [records[a.pk].language for a in appeals] == ["ru", "en"]


def test_a_failure_of_the_rules_loses_no_appeal(org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from okno.routing.services import rules

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in a rule")

    monkeypatch.setattr(rules, "decide", broken)
    appeal = org.appeal(SystemActor("mail"), subject="Возврат", channel=Channel.MAIL)
    appeal.refresh_from_db()
    assert appeal.number
    assert AppealRouting.objects.get(appeal=appeal).to_dispatcher is True
    routed = Event.objects.filter(appeal=appeal, kind=EventKind.ROUTED).get()
    assert "dispatcher" in routed.comment or "диспетчер" in routed.comment
