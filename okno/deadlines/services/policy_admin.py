"""Administering deadline policies: create, change, delete, set the clocks, switch on
and off, reorder. Administrators only; the page, the API and the Django admin all
come through here.

Every change drops the compiled policies (in this process at once; other processes
within ``policies.SECONDS``) and, once it commits, queues the work that makes
running deadlines follow it: ``recompute.schedule`` re-plans the running clocks of
the policy from its new terms and reminders, and, when what the policy matches or
its place in the order changed, ``rematch_running`` moves open appeals whose first
matching policy is now a different one. Each deadline that moves gets an event
whose comment says which policy changed and who changed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from okno.accounts.models import User
from okno.accounts.services import require_admin
from okno.appeals.choices import Channel, Priority, Status
from okno.appeals.models import Appeal, Category, Kind
from okno.clients.choices import Segment
from okno.core.errors import Conflict, InvalidInput, NotFound, choice_of
from okno.deadlines.choices import ClockKind, CountsFrom, DayOffRule, TermUnit
from okno.deadlines.models import AppealClock, Calendar, DeadlinePolicy, PolicyClock
from okno.deadlines.services import policies, recompute
from okno.lib.sentence import fill

POLICY_FIELDS = (
    "code",
    "name",
    "name_en",
    "basis",
    "basis_en",
    "description",
    "is_active",
    "position",
    "kinds",
    "categories",
    "channels",
    "segments",
    "priorities",
    "reminder_percents",
    "remind_on_last_day",
    "breach_notifies_supervisors",
    "breach_raises_priority",
    "breach_reassigns_to",
)
CLOCK_FIELDS = (
    "clock",
    "stage",
    "term_amount",
    "term_unit",
    "calendar",
    "day_off_rule",
    "counts_from",
    "is_statutory",
    "pauses_while_waiting",
    "extension_amount",
    "extension_notice_required",
    "extension_basis",
    "citation",
    "citation_en",
    "penalty_percent_per_day",
)
# Changing these changes which appeals the policy gets, not only their terms.
MATCHING_FIELDS = frozenset({"is_active", "position", "kinds", "categories", "channels", "segments", "priorities"})
# The statuses a stage clock may time: a closed, cancelled or merged appeal has no stage left to time.
STAGE_STATUSES = (Status.NEW, Status.IN_WORK, Status.WAITING_CLIENT, Status.ANSWERED)
MAX_TERM = 3650
MAX_POSITION = 32767
MAX_REMINDERS = 10
POSITION_STEP = 10
BATCH = 500

Ref = DeadlinePolicy | int | str

# What events on moved deadlines say (translated when used, in the installation's language).
ADDED = gettext_noop("The deadline policy “%(policy)s” was added by %(user)s.")
CHANGED = gettext_noop("The deadline policy “%(policy)s” was changed by %(user)s.")
SWITCHED_ON = gettext_noop("The deadline policy “%(policy)s” was switched on by %(user)s.")
SWITCHED_OFF = gettext_noop("The deadline policy “%(policy)s” was switched off by %(user)s.")
MOVED_UP = gettext_noop("The deadline policy “%(policy)s” was moved up by %(user)s.")
MOVED_DOWN = gettext_noop("The deadline policy “%(policy)s” was moved down by %(user)s.")


# --- validation ---------------------------------------------------------------------


def _known_codes(values: Any, allowed: Iterable[str], field: str) -> list[str]:
    """A list of codes from ``allowed``, duplicates dropped, order kept."""
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInput(_("Give a list of codes."), field=field)
    known = set(allowed)
    out: list[str] = []
    for value in values:
        code = str(value).strip()
        if code not in known:
            raise InvalidInput(
                _("Unknown code “%(code)s”; known: %(known)s.") % {"code": code, "known": ", ".join(allowed)},
                field=field,
            )
        if code not in out:
            out.append(code)
    return out


def _percents(values: Any) -> list[int]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInput(_("Give the reminders as a list of percentages."), field="reminder_percents")
    out: set[int] = set()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise InvalidInput(_("Reminders are whole percentages from 1 to 99."), field="reminder_percents")
        try:
            percent = int(value)
        except ValueError:
            raise InvalidInput(_("Reminders are whole percentages from 1 to 99."), field="reminder_percents") from None
        if not 1 <= percent <= 99:
            raise InvalidInput(_("Reminders are whole percentages from 1 to 99."), field="reminder_percents")
        out.add(percent)
    if len(out) > MAX_REMINDERS:
        raise InvalidInput(_("At most %(n)d reminders per policy.") % {"n": MAX_REMINDERS}, field="reminder_percents")
    return sorted(out)


def _rows[M: models.Model](model: type[M], values: Any, field: str) -> list[M]:
    """Rows named by instance, id or code; an unknown one is a 400 naming it."""
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInput(_("Give a list of codes."), field=field)
    wanted = list(values)
    ids = {v.pk for v in wanted if isinstance(v, model)} | {v for v in wanted if isinstance(v, int)}
    codes = {v.strip() for v in wanted if isinstance(v, str)}
    found = list(model._default_manager.filter(Q(pk__in=ids) | Q(code__in=codes)))
    by_id = {row.pk: row for row in found}
    by_code = {row.code: row for row in found}  # type: ignore[attr-defined]
    out: list[M] = []
    for value in wanted:
        if isinstance(value, model):
            row = by_id.get(value.pk)
        elif isinstance(value, int) and not isinstance(value, bool):
            row = by_id.get(value)
        elif isinstance(value, str):
            row = by_code.get(value.strip())
        else:
            row = None
        if row is None:
            raise InvalidInput(_("Unknown code “%(code)s”.") % {"code": value}, field=field)
        if row not in out:
            out.append(row)
    return out


def _user(value: Any) -> User | None:
    if value is None or value == "":
        return None
    pk = value.pk if isinstance(value, User) else value
    user = User.objects.filter(pk=pk, is_active=True).first() if isinstance(pk, int) else None
    if user is None:
        raise InvalidInput(_("There is no active user with id %(id)s.") % {"id": pk}, field="breach_reassigns_to")
    return user


def _calendar(value: Any) -> Calendar | None:
    if value is None or value == "":
        return None
    if isinstance(value, Calendar):
        value = value.pk
    found = (
        Calendar.objects.filter(pk=value).first()
        if isinstance(value, int)
        else Calendar.objects.filter(code=str(value)).first()
    )
    if found is None:
        raise InvalidInput(_("There is no calendar “%(code)s”.") % {"code": value}, field="calendar")
    return found


def _amount(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(_("Give a whole number."), field=field)
    if value < 1:
        raise InvalidInput(_("The term must be at least 1."), field=field)
    if value > MAX_TERM:
        raise InvalidInput(_("The term is too long (%(max)d at most).") % {"max": MAX_TERM}, field=field)
    return value


def _full_clean(obj: models.Model, exclude: Sequence[str] = ()) -> None:
    """The model's own checks (lengths, slugs, uniqueness) as ``InvalidInput``."""
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidInput(" ".join(messages), field=None if field == "__all__" else field) from None


def clean_clock(values: Mapping[str, Any]) -> dict[str, Any]:
    """One clock's values checked and completed with the defaults; raises
    ``InvalidInput`` naming the field. The page and the admin call it per row."""
    unknown = set(values) - set(CLOCK_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if values.get("clock") in (None, ""):
        raise InvalidInput(_("Say what the clock times."), field="clock")
    if values.get("term_unit") in (None, ""):
        raise InvalidInput(_("Give the unit of the term."), field="term_unit")
    if values.get("term_amount") is None:
        raise InvalidInput(_("Give the term."), field="term_amount")
    out: dict[str, Any] = {
        "clock": choice_of(values["clock"], ClockKind, "clock"),
        "stage": str(values.get("stage") or "").strip(),
        "term_amount": _amount(values["term_amount"], "term_amount"),
        "term_unit": choice_of(values["term_unit"], TermUnit, "term_unit"),
        "calendar": _calendar(values.get("calendar")),
        "day_off_rule": choice_of(values.get("day_off_rule") or DayOffRule.NEXT, DayOffRule, "day_off_rule"),
        "counts_from": choice_of(values.get("counts_from") or CountsFrom.RECEIVED, CountsFrom, "counts_from"),
        "is_statutory": bool(values.get("is_statutory", False)),
        "pauses_while_waiting": bool(values.get("pauses_while_waiting", False)),
        "extension_amount": None,
        "extension_notice_required": bool(values.get("extension_notice_required", True)),
        "extension_basis": " ".join(str(values.get("extension_basis") or "").split()),
        "citation": " ".join(str(values.get("citation") or "").split()),
        "citation_en": " ".join(str(values.get("citation_en") or "").split()),
        "penalty_percent_per_day": None,
    }
    if out["clock"] == ClockKind.STAGE:
        if out["stage"] not in STAGE_STATUSES:
            raise InvalidInput(
                _("A stage clock times one status: %(known)s.") % {"known": ", ".join(STAGE_STATUSES)}, field="stage"
            )
    elif out["stage"]:
        raise InvalidInput(_("Only a stage clock names a status."), field="stage")
    if out["is_statutory"] and out["pauses_while_waiting"]:
        raise InvalidInput(
            _("A term set by law runs whatever the client does: a statutory clock cannot pause."),
            field="pauses_while_waiting",
        )
    if values.get("extension_amount") not in (None, "", 0):
        out["extension_amount"] = _amount(values["extension_amount"], "extension_amount")
    elif out["extension_basis"]:
        raise InvalidInput(_("Give the length of the extension its basis allows."), field="extension_amount")
    penalty = values.get("penalty_percent_per_day")
    if penalty not in (None, ""):
        try:
            amount = Decimal(str(penalty))
        except InvalidOperation:
            raise InvalidInput(_("Give the penalty as a number."), field="penalty_percent_per_day") from None
        if not Decimal(0) < amount <= Decimal(100) or amount != amount.quantize(Decimal("0.01")):
            raise InvalidInput(
                _("The penalty is a percentage above 0 and at most 100, with two decimals at most."),
                field="penalty_percent_per_day",
            )
        out["penalty_percent_per_day"] = amount
    _full_clean(PolicyClock(**out), exclude=("policy",))
    return out


def clean_policy(values: Mapping[str, Any]) -> dict[str, Any]:
    """Policy values checked and normalised (lists of codes deduplicated, reminders
    sorted, references loaded); only the keys given. Raises ``InvalidInput``."""
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    out: dict[str, Any] = {}
    for field, value in values.items():
        if field in ("code", "name", "name_en", "basis", "basis_en"):
            out[field] = " ".join(str(value or "").split())
        elif field == "description":
            out[field] = str(value or "").strip()
        elif field == "position":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POSITION:
                raise InvalidInput(
                    _("The position is a whole number from 0 to %(max)d.") % {"max": MAX_POSITION}, field=field
                )
            out[field] = value
        elif field == "kinds":
            out[field] = _rows(Kind, value, field)
        elif field == "categories":
            out[field] = _rows(Category, value, field)
        elif field == "channels":
            out[field] = _known_codes(value, Channel.values, field)
        elif field == "segments":
            out[field] = _known_codes(value, Segment.values, field)
        elif field == "priorities":
            out[field] = _known_codes(value, Priority.values, field)
        elif field == "reminder_percents":
            out[field] = _percents(value)
        elif field == "breach_reassigns_to":
            out[field] = _user(value)
        else:
            out[field] = bool(value)
    return out


def clean_clocks(clocks: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``clean_clock`` for a whole list; one clock of each kind (one per status for
    stage clocks). The error names the clock by its place in the list."""
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for n, values in enumerate(clocks, start=1):
        try:
            clock = clean_clock(values)
        except InvalidInput as exc:
            raise InvalidInput(
                _("Clock %(n)d: %(message)s") % {"n": n, "message": exc.message},
                field=f"clocks.{n - 1}.{exc.field}" if exc.field else "clocks",
            ) from None
        key = (clock["clock"], clock["stage"])
        if key in seen:
            raise InvalidInput(
                _("Clock %(n)d: the policy already has this clock.") % {"n": n}, field=f"clocks.{n - 1}.clock"
            )
        seen.add(key)
        out.append(clock)
    return out


# --- changing -------------------------------------------------------------------------


def _lock(policy: Ref) -> DeadlinePolicy:
    qs = DeadlinePolicy.objects.select_for_update()
    if isinstance(policy, DeadlinePolicy):
        found = qs.filter(pk=policy.pk).first()
    elif isinstance(policy, int):
        found = qs.filter(pk=policy).first()
    else:
        found = qs.filter(code=policy).first()
    if found is None:
        raise NotFound(_("No such deadline policy."))
    return found


def reason_for(message: str, policy: DeadlinePolicy, actor: User) -> str:
    """What the events on moved deadlines say, in the installation's language (the
    timeline is read by everyone, whoever changed the policy). A name ending with an
    initial ends the sentence: no second full stop after it."""
    with translation.override(settings.LANGUAGE_CODE):
        return fill(_(message), {"policy": policy.display_name, "user": actor.display_name})


def changed(policy: DeadlinePolicy, reason: str, *, rematch: bool) -> None:
    """After a change to ``policy`` inside the current transaction: forget the
    compiled policies and, on commit, make running deadlines follow it."""
    policies.forget_on_commit()
    recompute.schedule(policy_id=policy.pk, reason=reason)
    if rematch:
        from okno.deadlines.tasks import rematch_deadlines

        pk = policy.pk
        transaction.on_commit(lambda: rematch_deadlines.enqueue(policy_id=pk, reason=reason))


def _save(policy: DeadlinePolicy, values: dict[str, Any]) -> DeadlinePolicy:
    kinds = values.pop("kinds", None)
    categories = values.pop("categories", None)
    for field, value in values.items():
        setattr(policy, field, value)
    _full_clean(policy)
    policy.save()
    if kinds is not None:
        policy.kinds.set(kinds)
    if categories is not None:
        policy.categories.set(categories)
    return policy


def _set_clocks(policy: DeadlinePolicy, clocks: list[dict[str, Any]]) -> list[PolicyClock]:
    """Clocks are matched by (clock, stage) and changed in place, so running
    deadlines keep their link to the rules they follow; a clock no longer listed
    is deleted (deadlines already running on it keep the rules they copied)."""
    current = {(c.clock, c.stage): c for c in PolicyClock.objects.filter(policy=policy)}
    wanted = {(c["clock"], c["stage"]): c for c in clocks}
    PolicyClock.objects.filter(pk__in=[c.pk for key, c in current.items() if key not in wanted]).delete()
    out = []
    for key, values in wanted.items():
        row = current.get(key) or PolicyClock(policy=policy)
        for field, value in values.items():
            setattr(row, field, value)
        row.save()
        out.append(row)
    return out


def _last_position() -> int:
    last = DeadlinePolicy.objects.aggregate(last=Max("position"))["last"]
    return min(MAX_POSITION, (last or 0) + POSITION_STEP)


@transaction.atomic
def create_policy(actor: User, values: Mapping[str, Any], clocks: Iterable[Mapping[str, Any]] = ()) -> DeadlinePolicy:
    """A new policy with its clocks. It is switched off unless ``is_active`` is given,
    and goes last in the order unless a ``position`` is given."""
    require_admin(actor)
    cleaned = clean_policy(values)
    clean = clean_clocks(clocks)
    if not cleaned.get("code") or not cleaned.get("name"):
        raise InvalidInput(_("A policy needs a code and a name."), field="code" if not cleaned.get("code") else "name")
    cleaned.setdefault("is_active", False)
    cleaned.setdefault("position", _last_position())
    policy = _save(DeadlinePolicy(), cleaned)
    _set_clocks(policy, clean)
    changed(policy, reason_for(ADDED, policy, actor), rematch=True)
    return policy


@transaction.atomic
def update_policy(
    actor: User, policy: Ref, changes: Mapping[str, Any], clocks: Iterable[Mapping[str, Any]] | None = None
) -> DeadlinePolicy:
    """Change a policy (only the fields given) and, when ``clocks`` is given, replace
    its clock list, in one transaction."""
    require_admin(actor)
    locked = _lock(policy)
    cleaned = clean_policy(changes)
    if locked.is_preset and cleaned.get("code", locked.code) != locked.code:
        raise InvalidInput(_("A shipped preset keeps its code: the installer knows it by it."), field="code")
    clean = clean_clocks(clocks) if clocks is not None else None
    before = _matching_state(locked)
    _save(locked, cleaned)
    if clean is not None:
        _set_clocks(locked, clean)
    rematch = _matching_state(locked) != before
    changed(locked, reason_for(CHANGED, locked, actor), rematch=rematch)
    return locked


@transaction.atomic
def set_clocks(actor: User, policy: Ref, clocks: Iterable[Mapping[str, Any]]) -> list[PolicyClock]:
    """Replace the policy's clock list (running deadlines on kept clocks follow the new terms)."""
    require_admin(actor)
    locked = _lock(policy)
    out = _set_clocks(locked, clean_clocks(clocks))
    changed(locked, reason_for(CHANGED, locked, actor), rematch=False)
    return out


@transaction.atomic
def set_active(actor: User, policy: Ref, active: bool) -> DeadlinePolicy:
    """Switch a policy on or off. Open appeals it now wins (or no longer wins) move to
    the policy that applies to them, with an event each."""
    require_admin(actor)
    locked = _lock(policy)
    if locked.is_active == active:
        return locked
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    changed(locked, reason_for(SWITCHED_ON if active else SWITCHED_OFF, locked, actor), rematch=True)
    return locked


def activate(actor: User, policy: Ref) -> DeadlinePolicy:
    return set_active(actor, policy, True)


def deactivate(actor: User, policy: Ref) -> DeadlinePolicy:
    return set_active(actor, policy, False)


@transaction.atomic
def move(actor: User, policy: Ref, direction: Literal["up", "down"]) -> DeadlinePolicy:
    """Swap a policy with its neighbour in the matching order. Distinct positions are
    swapped; equal ones (the order then falls back to age) are renumbered in tens."""
    require_admin(actor)
    if direction not in ("up", "down"):
        raise InvalidInput(_("Move a policy up or down."), field="direction")
    locked = _lock(policy)
    ordered = list(DeadlinePolicy.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, p in enumerate(ordered) if p.pk == locked.pk)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(ordered):
        return locked
    other = ordered[other_index]
    if other.position != ordered[index].position:
        locked.position, other.position = other.position, ordered[index].position
        DeadlinePolicy.objects.bulk_update([locked, other], ["position"])
    else:
        ordered[index], ordered[other_index] = ordered[other_index], ordered[index]
        if len(ordered) * POSITION_STEP > MAX_POSITION:
            raise Conflict(_("Too many policies to renumber; set the positions by hand."))
        for n, row in enumerate(ordered, start=1):
            row.position = n * POSITION_STEP
        DeadlinePolicy.objects.bulk_update(ordered, ["position"])
        locked.position = next(p.position for p in ordered if p.pk == locked.pk)
    # Appeals that change hands are on this policy or match it (``candidates``),
    # whichever way it moved past its neighbour.
    changed(locked, reason_for(MOVED_UP if direction == "up" else MOVED_DOWN, locked, actor), rematch=True)
    return locked


@transaction.atomic
def delete_policy(actor: User, policy: Ref) -> None:
    """Delete a policy nobody's deadline follows any more. A shipped preset is never
    deleted (the installer would bring it back): switch it off instead."""
    require_admin(actor)
    locked = _lock(policy)
    if locked.is_preset:
        raise Conflict(_("A shipped preset cannot be deleted; switch it off instead."))
    running = AppealClock.objects.filter(policy=locked, met_at__isnull=True, cancelled_at__isnull=True).count()
    if running:
        raise Conflict(
            _(
                "%(n)d running deadlines follow this policy. Switch it off first (they move to the policy that "
                "applies to them next), then delete it."
            )
            % {"n": running}
        )
    locked.delete()
    policies.forget_on_commit()


def _matching_state(policy: DeadlinePolicy) -> tuple[Any, ...]:
    return (
        policy.is_active,
        policy.position,
        frozenset(policy.kinds.values_list("pk", flat=True)),
        frozenset(policy.categories.values_list("pk", flat=True)),
        frozenset(policy.channels or ()),
        frozenset(policy.segments or ()),
        frozenset(policy.priorities or ()),
    )


# --- running deadlines follow -----------------------------------------------------------


def candidates(policy_id: int) -> list[int]:
    """Appeals with running deadlines whose policy may be another one now: those on
    this policy, and (if it is active) those its criteria match."""
    running = AppealClock.objects.filter(met_at__isnull=True, cancelled_at__isnull=True)
    ids = set(running.filter(policy_id=policy_id).values_list("appeal_id", flat=True))
    policy = DeadlinePolicy.objects.filter(pk=policy_id, is_active=True).first()
    if policy is not None:
        matching = Appeal.objects.filter(pk__in=running.values("appeal_id"))
        kinds = list(policy.kinds.values_list("pk", flat=True))
        if kinds:
            matching = matching.filter(kind_id__in=kinds)
        categories = list(policy.categories.values_list("pk", flat=True))
        if categories:
            matching = matching.filter(Q(category_id__in=categories) | Q(category__parent_id__in=categories))
        if policy.channels:
            matching = matching.filter(channel__in=policy.channels)
        if policy.priorities:
            matching = matching.filter(priority__in=policy.priorities)
        if policy.segments:
            matching = matching.filter(client__segment__in=policy.segments)
        ids |= set(matching.values_list("pk", flat=True))
    return sorted(ids)


def rematch_running(*, policy_id: int, reason: str = "") -> int:
    """Bring the deadlines of every candidate appeal (``candidates``) in line with the
    policy that applies to it now, a batch per transaction. Returns how many appeals
    changed policy; each moved deadline is an event with ``reason``."""
    from okno.deadlines.services import clocks

    policies.forget()  # this process may have compiled the old rules moments ago
    ids = candidates(policy_id)
    reason = reason or _("The deadline policies changed.")
    switched = 0
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            batch = (
                Appeal.objects.select_for_update(of=("self",))
                .select_related("client", "queue")
                .filter(pk__in=ids[start : start + BATCH])
                .order_by("pk")
            )
            for appeal in batch:
                before = _running_policies(appeal)
                clocks.sync(appeal, reason=reason)
                if _running_policies(appeal) != before:
                    switched += 1
    return switched


def _running_policies(appeal: Appeal) -> set[int | None]:
    return set(
        AppealClock.objects.filter(appeal=appeal, met_at__isnull=True, cancelled_at__isnull=True).values_list(
            "policy_id", flat=True
        )
    )
