"""Small builders the routing tests share: rules through the admin service, and
arrivals as registration hands them to the rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone

from okno.appeals.choices import Channel, Priority
from okno.appeals.models import Appeal
from okno.appeals.services import SystemActor
from okno.appeals.services.hooks import Arrival
from okno.routing.models import RoutingRule
from okno.routing.services import rule_admin
from okno.routing.services.rules import Decision, decide
from okno.testing import Org


def rule(org: Org, name: str = "Rule", *, when: Mapping[str, Any] | None = None, **then: Any) -> RoutingRule:
    """A rule added by Adam (administrator); ``stop=True`` among ``then`` stops."""
    stop = bool(then.pop("stop", False))
    return rule_admin.create_rule(
        org.adam, {"name": name, "conditions": dict(when or {}), "actions": then, "stop": stop}
    )


def arrival(
    org: Org,
    text: str = "",
    *,
    subject: str = "Обращение",
    channel: str = Channel.MAIL,
    sender: str = "",
    mailbox_id: int | None = None,
    attachments: int = 0,
    fixed: frozenset[str] = frozenset(),
    received: datetime | None = None,
    **fields: Any,
) -> Arrival:
    now = timezone.now()
    values: dict[str, Any] = {"kind": org.request, "priority": Priority.NORMAL, **fields}
    appeal = Appeal(
        channel=channel,
        subject=subject,
        created_at=received or now,
        registered_at=now,
        **values,
    )
    return Arrival(
        appeal=appeal,
        tags=[],
        text=text,
        attachments=attachments,
        sender=sender,
        mailbox_id=mailbox_id,
        fixed=fixed,
        actor=SystemActor("test"),
    )


def route(one: Arrival, suggestions: Mapping[str, Any] | None = None) -> list[Decision]:
    return decide([one], [suggestions or {}])[0]


def fired(one: Arrival, suggestions: Mapping[str, Any] | None = None) -> list[str]:
    """The names of the rules that held for the arrival."""
    return [d.rule_name for d in route(one, suggestions)]
