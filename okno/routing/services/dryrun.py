"""A dry run of the routing rules: what they would do with an appeal, and why,
with nothing written.

Either a registered appeal (``appeal=``: the rules see it as "Run the rules
again" would) or a pasted text with its channel, sender, mailbox and client (a
mailbox gives its defaults first, as mail intake does; a mail sender known as a
client's address finds the client). The rules are read fresh from the database,
so a rule just saved in another process is already there.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any, Final

from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.services import require_admin
from okno.appeals import queries
from okno.appeals.choices import Channel, Priority
from okno.appeals.models import Appeal
from okno.appeals.services.hooks import Arrival
from okno.appeals.services.validation import default_kind
from okno.core.errors import InvalidInput
from okno.routing import language
from okno.routing.models import AppealRouting, RoutingRule
from okno.routing.services import reroute
from okno.routing.services.actions import FIELD_LABELS
from okno.routing.services.conditions import format_amount
from okno.routing.services.rules import Batch, Decision, RuleTrace, compile_all, route_one

if TYPE_CHECKING:
    from okno.clients.models import Client
    from okno.routing.classifier.services.predict import Suggestion

log = logging.getLogger(__name__)

FIELDS: Final = (
    "queue",
    "kind",
    "category",
    "product",
    "priority",
    "assignee",
    "deadline_policy",
    "tags",
    "to_dispatcher",
    "regulator_forwarded",
)
MAX_TEXT: Final = 100_000


@dataclass
class DryRun:
    """What the rules would do: every active rule in order (held or not, and which
    conditions failed), the classifier's suggestions, and the fields before and after."""

    appeal: Appeal | None
    subject: str
    channel: str
    sender: str
    client: Client | None
    language: str
    fixed: list[str]
    rules: list[RuleTrace]
    decisions: list[Decision]
    suggestions: dict[str, dict[str, Any]]
    before: dict[str, dict[str, Any]]
    after: dict[str, dict[str, Any]]
    facts: list[tuple[str, str]] = field(default_factory=list)  # what the rules read, in words

    @property
    def changed(self) -> list[str]:
        return [f for f in FIELDS if self.before.get(f) != self.after.get(f)]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Before and after per field, for the page."""
        return [
            {
                "field": f,
                "label": str(FIELD_LABELS[f]),
                "before": self.before[f]["label"],
                "after": self.after[f]["label"],
                "changed": f in self.changed,
            }
            for f in FIELDS
        ]


def _entry(value: Any, label: Any = None) -> dict[str, Any]:
    if value is None or value == "" or value == []:
        return {"value": None, "label": "—"}
    if hasattr(value, "pk"):
        return {"value": value.pk, "label": str(getattr(value, "display_name", value))}
    return {"value": value, "label": str(label if label is not None else value)}


def snapshot(arrival: Arrival) -> dict[str, dict[str, Any]]:
    appeal = arrival.appeal
    return {
        "queue": _entry(appeal.queue if appeal.queue_id else None),
        "kind": _entry(appeal.kind if appeal.kind_id else None),
        "category": _entry(appeal.category if appeal.category_id else None),
        "product": _entry(appeal.product if appeal.product_id else None),
        "priority": _entry(appeal.priority, Priority(appeal.priority).label),
        "assignee": _entry(appeal.assignee if appeal.assignee_id else None),
        "deadline_policy": _entry(appeal.deadline_policy if appeal.deadline_policy_id else None),
        "tags": _entry(sorted(arrival.tags), ", ".join(sorted(arrival.tags))),
        "to_dispatcher": {
            "value": arrival.to_dispatcher,
            "label": str(_("to the dispatcher") if arrival.to_dispatcher else _("no")),
        },
        "regulator_forwarded": {
            "value": appeal.regulator_forwarded,
            "label": str(_("yes") if appeal.regulator_forwarded else _("no")),
        },
    }


def _pasted(
    actor: User,
    *,
    text: str,
    subject: str,
    channel: str,
    sender: str,
    mailbox_id: int | None,
    client: Client | None,
    attachments: int,
    claim_amount: Decimal | None,
    received: dt.datetime | None,
) -> Arrival:
    from okno.channels.mail.models import Mailbox

    if channel not in Channel.values:
        raise InvalidInput(
            _("Unknown channel “%(value)s”; known: %(known)s.")
            % {"value": channel, "known": ", ".join(Channel.values)},
            field="channel",
        )
    text = (text or "")[:MAX_TEXT]
    subject = " ".join((subject or "").split())[:500]
    if not subject and not text.strip():
        raise InvalidInput(_("Paste the text of an appeal, or give the number of one."), field="text")
    if not subject:
        subject = " ".join(text.split())[:120]
    mailbox = None
    if mailbox_id is not None:
        mailbox = Mailbox.objects.select_related("queue", "kind", "category").filter(pk=mailbox_id).first()
        if mailbox is None:
            raise InvalidInput(_("There is no mailbox with id %(id)s.") % {"id": mailbox_id}, field="mailbox")
    sender = (sender or "").strip()
    if client is None and sender and "@" in sender:
        from okno.clients.services import find_by_contact

        client = find_by_contact("email", parseaddr(sender)[1] or sender)
    if attachments < 0:
        raise InvalidInput(_("The number of files cannot be negative."), field="attachments")
    now = timezone.now()
    appeal = Appeal(
        kind=(mailbox.kind if mailbox is not None and mailbox.kind is not None else default_kind()),
        channel=channel,
        category=mailbox.category if mailbox is not None else None,
        queue=mailbox.queue if mailbox is not None else None,
        priority=mailbox.priority if mailbox is not None else Priority.NORMAL,
        subject=subject,
        client=client,
        created_at=received or now,
        registered_at=now,
        claim_amount=claim_amount,
    )
    return Arrival(
        appeal=appeal,
        tags=[],
        text=text,
        attachments=attachments,
        sender=sender,
        mailbox_id=mailbox.pk if mailbox is not None else None,
        fixed=frozenset(),
        actor=actor,
    )


def _suggestions(subject: str, text: str) -> dict[str, Suggestion]:
    try:
        return reroute.suggest(subject, text)
    except Exception:  # a broken model must not break the dry run
        log.exception("classifier failed in a dry run")
        return {}


def _facts(arrival: Arrival, batch: Batch) -> list[tuple[str, str]]:
    """What the conditions read, for the person looking at the dry run."""
    facts = batch.facts[0]
    appeal = arrival.appeal
    client = appeal.client if appeal.client_id is not None else None
    out = [
        (_("Channel"), str(Channel(appeal.channel).label)),
        (_("Sender"), facts.sender or "—"),
        (_("Client"), client.name if client is not None else "—"),
    ]
    if client is not None:
        out.append((_("VIP client"), _("yes") if client.is_vip else _("no")))
    for days, count in sorted(facts.repeats.items()):
        out.append((_("Earlier appeals in %(days)d days") % {"days": days}, str(count)))
    out.append((_("Files"), str(arrival.attachments)))
    amount = facts.amount
    out.append((_("Largest sum mentioned"), format_amount(amount) if amount is not None else "—"))
    out.append((_("Received in working time"), _("yes") if facts.in_working_time else _("no")))
    return out


def dry_run(
    actor: User,
    *,
    appeal: Appeal | int | str | None = None,
    text: str = "",
    subject: str = "",
    channel: str = Channel.MAIL,
    sender: str = "",
    mailbox_id: int | None = None,
    client: Client | None = None,
    attachments: int = 0,
    claim_amount: Decimal | None = None,
    received: dt.datetime | None = None,
) -> DryRun:
    """What the active rules would do (administrators only). ``appeal`` is an appeal,
    its id or its number; without it, the pasted text and what came with it."""
    require_admin(actor)
    picked: Appeal | None = None
    if appeal is not None and appeal != "":
        if isinstance(appeal, Appeal):
            picked = queries.get_visible(actor, pk=appeal.pk)
        elif isinstance(appeal, int):
            picked = queries.get_visible(actor, pk=appeal)
        else:
            picked = queries.get_visible(actor, number=str(appeal).strip())
        content = reroute.content_of(picked)
        routing = AppealRouting.objects.filter(appeal=picked).first()
        arrival = reroute.arrival_of(picked, actor, content, reroute.chosen_by_people(picked, routing))
    else:
        arrival = _pasted(
            actor,
            text=text,
            subject=subject,
            channel=channel,
            sender=sender,
            mailbox_id=mailbox_id,
            client=client,
            attachments=attachments,
            claim_amount=claim_amount,
            received=received,
        )
    before = snapshot(arrival)
    suggestions = _suggestions(arrival.appeal.subject, arrival.text)
    rules = compile_all(list(RoutingRule.objects.filter(is_active=True).order_by("position", "id")))
    batch = Batch(rules, [arrival], [picked.pk if picked is not None else None])
    trace: list[RuleTrace] = []
    decisions = route_one(rules, arrival, batch.facts[0], suggestions, batch, trace)
    return DryRun(
        appeal=picked,
        subject=arrival.appeal.subject,
        channel=arrival.appeal.channel,
        sender=arrival.sender,
        client=arrival.appeal.client if arrival.appeal.client_id is not None else None,
        language=language.detect(f"{arrival.appeal.subject}\n{arrival.text}"),
        fixed=sorted(arrival.fixed),
        rules=trace,
        decisions=decisions,
        suggestions={target: s.as_json() for target, s in suggestions.items()},
        before=before,
        after=snapshot(arrival),
        facts=_facts(arrival, batch),
    )
