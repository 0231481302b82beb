"""Running the routing rules again on a registered appeal ("Run the rules again").

The rules see the appeal as registration saw it: its subject and first message
from the client (or its description), the files that came with it, its client,
and the sender and mailbox of the mail that opened it. Fields a person chose are
kept: those a person registering it gave (that no rule set then) and those people
changed since. What the rules decide goes through the appeal services
(``update_fields``, ``assign``) as the routing robot acting for the person who
asked, so the timeline has the usual field events, each naming its rule, plus one
"routed" event per rule that held; the appeal's routing record is rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any, Final

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals import access, queries
from okno.appeals.choices import Direction, EventKind, Priority
from okno.appeals.models import Appeal, Attachment, Event, Message
from okno.appeals.services import SystemActor, assign, events, notify, update_fields
from okno.appeals.services.common import lock
from okno.appeals.services.hooks import Arrival
from okno.appeals.services.validation import check_not_final
from okno.routing import language
from okno.routing.models import AppealRouting
from okno.routing.services.rules import Decision, decide

if TYPE_CHECKING:
    from okno.routing.classifier.services.predict import Suggestion

# Fields a person can choose, and the rules can set. A person who took the regulator's
# mark off after registration has the last word too.
FIXABLE: Final = ("kind", "category", "product", "queue", "assignee", "priority", "regulator_forwarded")
UPDATABLE: Final = ("kind", "category", "product", "queue", "priority")


@dataclass(frozen=True)
class Content:
    """What the client sent with the appeal, as routing reads it."""

    text: str
    attachments: int
    sender: str
    mailbox_id: int | None


def content_of(appeal: Appeal) -> Content:
    """The first message from the client (else the description), the files that came
    with it, and the sender and mailbox of the mail that registered the appeal."""
    from okno.channels.mail.choices import InboundOutcome
    from okno.channels.mail.models import InboundMail

    first = (
        Message.objects.filter(appeal=appeal, direction=Direction.INBOUND)
        .order_by("created_at", "id")
        .values_list("pk", "body_text")
        .first()
    )
    text = (first[1] if first is not None else "") or appeal.description
    files = Q(message__isnull=True) if first is None else Q(message__isnull=True) | Q(message_id=first[0])
    attachments = Attachment.objects.filter(appeal=appeal).filter(files).count()
    mail = (
        InboundMail.objects.filter(appeal=appeal, outcome=InboundOutcome.APPEAL)
        .order_by("id")
        .values_list("sender", "mailbox_id")
        .first()
    )
    sender, mailbox_id = ("", None) if mail is None else (parseaddr(mail[0])[1] or mail[0], mail[1])
    return Content(text=text, attachments=attachments, sender=sender, mailbox_id=mailbox_id)


def chosen_by_people(appeal: Appeal, routing: AppealRouting | None) -> frozenset[str]:
    """The fields routing must keep on a registered appeal: those a person registering
    it gave (no rule set them then; the assignee only if it was not assigned
    automatically), those rules had to keep then, and those people changed since."""
    set_by_rules: set[str] = set()
    fixed: set[str] = set()
    for entry in (routing.fired if routing is not None else None) or []:
        if isinstance(entry, dict):
            set_by_rules |= set(entry.get("set") or {})
            fixed |= {f for f in entry.get("kept") or () if f in FIXABLE}
    log = list(
        Event.objects.filter(
            appeal=appeal, kind__in=[EventKind.REGISTERED, EventKind.FIELD_CHANGED, EventKind.ASSIGNED]
        ).values_list("kind", "field", "actor_id", "created_at", "comment")
    )
    registered_at = next((at for kind, _f, _a, at, _c in log if kind == EventKind.REGISTERED), None)
    if appeal.created_by_id is not None:
        for name in ("kind", "category", "product", "queue"):
            if getattr(appeal, f"{name}_id") is not None and name not in set_by_rules:
                fixed.add(name)
        if appeal.priority != Priority.NORMAL and "priority" not in set_by_rules:
            fixed.add("priority")
    for kind, name, actor_id, at, comment in log:
        if kind == EventKind.REGISTERED or name not in FIXABLE or actor_id is None:
            continue
        at_registration = registered_at is not None and at <= registered_at
        if not at_registration:
            fixed.add(name)
        elif kind == EventKind.ASSIGNED and not comment and "assignee" not in set_by_rules:
            fixed.add(name)  # the registrant's own choice (automatic assignment leaves a note)
    return frozenset(fixed)


def arrival_of(appeal: Appeal, actor: Any, content: Content, fixed: frozenset[str]) -> Arrival:
    """The appeal as an arrival the rules can change: a copy, never saved."""
    copy = Appeal(
        kind=appeal.kind,
        channel=appeal.channel,
        category=appeal.category,
        product=appeal.product,
        subject=appeal.subject,
        description=appeal.description,
        status=appeal.status,
        priority=appeal.priority,
        queue=appeal.queue,
        assignee=appeal.assignee,
        client=appeal.client,
        created_at=appeal.created_at,
        registered_at=appeal.registered_at,
        claim_amount=appeal.claim_amount,
        deadline_policy=appeal.deadline_policy,
        regulator_forwarded=appeal.regulator_forwarded,
    )
    return Arrival(
        appeal=copy,
        tags=sorted(appeal.tags.values_list("name", flat=True)),
        text=content.text,
        attachments=content.attachments,
        sender=content.sender,
        mailbox_id=content.mailbox_id,
        fixed=fixed,
        actor=actor,
    )


def suggest(subject: str, text: str) -> dict[str, Suggestion]:
    """The classifier's suggestions (none while no classifier is installed or trained)."""
    try:
        from okno.routing.classifier.services.predict import suggest_many
    except ImportError:
        return {}
    from okno.routing.pipeline import classifier_text

    found = suggest_many([classifier_text(subject, text)])
    return dict(found[0]) if found else {}


def require_may_route(actor: User, appeal: Appeal) -> None:
    access.require(actor, access.Action.WORK, appeal)
    if not access.can_assign_anyone(actor):
        raise PermissionDenied(_("Only dispatchers, supervisors and administrators may run the routing rules again."))


def rerun(actor: User, appeal: Appeal | int) -> list[Decision]:
    """Run the active rules on ``appeal`` again and apply what they decide (see the
    module docstring). Needs a dispatcher, supervisor or administrator who may work
    the appeal; an appeal they cannot see is ``NotFound``. If the appeal is then
    unassigned in a queue that assigns automatically, the queue fills up."""
    pk = appeal.pk if isinstance(appeal, Appeal) else appeal
    found = queries.get_visible(actor, pk=pk)
    require_may_route(actor, found)
    check_not_final(found)
    content = content_of(found)
    suggestions = suggest(found.subject, content.text)
    with transaction.atomic():
        locked = lock(found.pk)
        require_may_route(actor, locked)
        check_not_final(locked)
        routing = AppealRouting.objects.select_for_update().filter(appeal=locked).first()
        # Whether it waits for the dispatcher is the rules' to say again, as at registration.
        arrival = arrival_of(locked, actor, content, chosen_by_people(locked, routing))
        decisions = decide([arrival], [suggestions], exclude=[locked.pk])[0]
        # The record first: automatic assignment, set off by the changes below,
        # must already know whether the appeal waits for the dispatcher.
        _record(locked, arrival, suggestions, decisions)
        locked = _apply(actor, locked, arrival, decisions)
        _trace(actor, locked, decisions)
        _fill(locked, arrival)
    return decisions


def _robot(actor: User) -> SystemActor:
    return SystemActor(_("Routing rules (run again by %(name)s)") % {"name": actor.display_name})


def _apply(actor: User, appeal: Appeal, arrival: Arrival, decisions: list[Decision]) -> Appeal:
    """Make the appeal what the rules left the arrival, a service call per rule for
    the fields that rule was the last to set."""
    robot = _robot(actor)
    wanted = arrival.appeal
    last: dict[str, Decision] = {}
    for decision in decisions:
        for name in decision.set:
            last[name] = decision
    current_tags = sorted(appeal.tags.values_list("name", flat=True))
    for decision in decisions:
        comment = _("Rule “%(name)s”") % {"name": decision.rule_name}
        changes: dict[str, Any] = {}
        for name in UPDATABLE:
            if last.get(name) is decision and _value(wanted, name) != _value(appeal, name):
                changes[name] = getattr(wanted, name)
        if last.get("tags") is decision and set(arrival.tags) - set(current_tags):
            changes["tags"] = sorted(set(current_tags) | set(arrival.tags))
        if last.get("regulator_forwarded") is decision and not appeal.regulator_forwarded:
            changes["regulator_forwarded"] = True  # the rules only ever mark it
        if changes:
            appeal = update_fields(robot, appeal, changes, comment=comment)
        if last.get("deadline_policy") is decision and wanted.deadline_policy_id != appeal.deadline_policy_id:
            appeal = _set_policy(robot, appeal, wanted, comment)
        if last.get("assignee") is decision and wanted.assignee_id != appeal.assignee_id:
            appeal = assign(robot, appeal, wanted.assignee, comment=comment)
    return appeal


def _value(appeal: Appeal, name: str) -> Any:
    return appeal.priority if name == "priority" else getattr(appeal, f"{name}_id")


def _set_policy(robot: SystemActor, appeal: Appeal, wanted: Appeal, comment: str) -> Appeal:
    """The deadline policy has no service of its own: set under the appeal's lock,
    with an event, and the deadlines re-planned by the change hooks."""
    current = lock(appeal.pk)
    before = current.deadline_policy
    current.deadline_policy = wanted.deadline_policy
    notify.touch(current)
    current.save(update_fields=["deadline_policy", "updated_at"])
    events.record(
        current,
        EventKind.FIELD_CHANGED,
        robot,
        field="deadline_policy",
        before=before,
        after=wanted.deadline_policy,
        comment=comment,
    )
    notify.appeal_changed(current)
    return current


def _record(
    appeal: Appeal,
    arrival: Arrival,
    suggestions: Mapping[str, Suggestion],
    decisions: list[Decision],
) -> None:
    from okno.routing.pipeline import fired_entry

    AppealRouting.objects.update_or_create(
        appeal=appeal,
        defaults={
            "language": language.detect(f"{appeal.subject}\n{arrival.text}"),
            "to_dispatcher": arrival.to_dispatcher,
            "suggestions": {target: s.as_json() for target, s in suggestions.items()},
            "fired": [fired_entry(d) for d in decisions],
            "routed_at": timezone.now(),
        },
    )


def _trace(actor: User, appeal: Appeal, decisions: list[Decision]) -> None:
    """A "routed" event per rule that held, by the person who asked."""
    for decision in decisions:
        events.record(appeal, EventKind.ROUTED, actor, after=decision.rule_name, comment=decision.summary())
    if not decisions:
        events.record(appeal, EventKind.ROUTED, actor, comment=_("The routing rules ran again; none of them held."))
    notify.appeal_changed(appeal)


def _fill(appeal: Appeal, arrival: Arrival) -> None:
    """An appeal left unassigned in a queue that assigns automatically is given out
    now, if anyone can take it."""
    from okno.routing.choices import AssignmentMode
    from okno.routing.models import QueueRouting

    if appeal.assignee_id is not None or appeal.queue_id is None or arrival.to_dispatcher:
        return
    automatic = QueueRouting.objects.filter(
        queue_id=appeal.queue_id, mode__in=[AssignmentMode.ROUND_ROBIN, AssignmentMode.LEAST_LOADED]
    ).exists()
    if not automatic:
        return
    from okno.routing.agents.services.assignment import fill_capacity

    fill_capacity(queue_ids=[appeal.queue_id])
