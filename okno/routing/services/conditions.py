"""Conditions of routing rules: checking what an administrator saved, and the
compiled tests an arriving appeal goes through.

``RoutingRule.conditions`` is a JSON object; every key is optional, and a rule
without conditions matches every appeal. All conditions of a rule must hold; a
list inside one condition matches when any of its items does.

======================  ==================================================================
key                     shape and meaning
======================  ==================================================================
``channels``            ``["mail", "portal", …]``: the appeal's channel (``Channel`` codes)
``mailboxes``           ``[3, 5]``: ids of the mail channel's mailboxes it arrived in
``senders``             ``["boss@bank.ru", "@cbr.ru", "rospotrebnadzor.ru"]``: an address
                        (exact), or a domain with or without "@" (that domain and its
                        subdomains); case does not matter
``segments``            ``["corporate", …]``: the client's segment (``Segment`` codes)
``organisations``       ``[12]``: client ids; the client is one of them or belongs to one
                        (through ``Client.parent``, any number of levels up)
``vip``                 ``true`` / ``false``: the client is (not) a VIP; no client is not
``repeat``              ``{"count": 2, "days": 30}``: the client had at least ``count``
                        appeals registered in the ``days`` before this one (this one and
                        merged duplicates not counted; earlier appeals of the same batch
                        count)
``kinds``               ``[1, 2]``: kind ids (the kind as earlier rules left it)
``categories``          ``[4]``: category ids; a category matches its subcategories
``products``            ``[7]``: product ids
``text``                ``["кредит", "\\"Банк России\\"", "/ЦБ\\\\s*РФ/"]``: any of these
                        terms occurs in the subject or the message (``textmatch``)
``text_none``           terms none of which may occur
``attachments``         ``true`` / ``false``: the appeal came with (without) files
``amount_over``         ``"1000000"``: the largest sum of money mentioned in the text
                        (``amounts``), or the appeal's claimed amount if larger, is over it
``arrival``             ``"working"`` / ``"off_hours"``: received in (out of) working time
                        of the default working-day calendar (``okno.deadlines.calendar``)
======================  ==================================================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from email.utils import parseaddr
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from okno.appeals.choices import Channel
from okno.clients.choices import Segment
from okno.core.errors import InvalidInput
from okno.routing.choices import Arrival as ArrivalTime
from okno.routing.services import amounts, textmatch

if TYPE_CHECKING:
    from okno.appeals.models import Appeal
    from okno.clients.models import Client

CONDITION_KEYS: Final = (
    "channels",
    "mailboxes",
    "senders",
    "segments",
    "organisations",
    "vip",
    "repeat",
    "kinds",
    "categories",
    "products",
    "text",
    "text_none",
    "attachments",
    "amount_over",
    "arrival",
)
LABELS: Final = {
    "channels": gettext_lazy("Channel"),
    "mailboxes": gettext_lazy("Mailbox"),
    "senders": gettext_lazy("Sender"),
    "segments": gettext_lazy("Client segment"),
    "organisations": gettext_lazy("Organisation"),
    "vip": gettext_lazy("VIP client"),
    "repeat": gettext_lazy("Repeat appeal"),
    "kinds": gettext_lazy("Kind"),
    "categories": gettext_lazy("Category"),
    "products": gettext_lazy("Product"),
    "text": gettext_lazy("Text contains"),
    "text_none": gettext_lazy("Text does not contain"),
    "attachments": gettext_lazy("Attachments"),
    "amount_over": gettext_lazy("Amount over"),
    "arrival": gettext_lazy("Received"),
}
MAX_ITEMS: Final = 500
MAX_SENDER: Final = 320
MAX_REPEAT_COUNT: Final = 1000
MAX_REPEAT_DAYS: Final = 3650
MAX_AMOUNT: Final = Decimal("1e15")
MAX_ID: Final = 2**63 - 1  # a larger number is no primary key (and would overflow the driver)


def field_of(key: str) -> str:
    return f"conditions.{key}"


# --- the facts an appeal is judged by ---------------------------------------------------------------


class Facts:
    """What the conditions read of one arriving appeal. The appeal's own fields are
    read as they are when a rule is tried (earlier rules may have changed them);
    the text is split into words, and sums looked for, only if a rule asks."""

    def __init__(
        self,
        appeal: Appeal,
        *,
        text: str,
        sender: str,
        mailbox_id: int | None,
        attachments: int,
        lineage: frozenset[int] = frozenset(),
        repeats: Mapping[int, int] | None = None,
    ) -> None:
        self.appeal = appeal
        self.text = text
        self.sender = sender_address(sender)
        self.mailbox_id = mailbox_id
        self.attachments = attachments
        self.lineage = lineage  # the client's id and its ancestors'
        self.repeats = repeats or {}  # days -> earlier appeals of the client

    @property
    def client(self) -> Client | None:
        return self.appeal.client if self.appeal.client_id is not None else None

    @cached_property
    def document(self) -> textmatch.Document:
        return textmatch.Document(self.appeal.subject, self.text)

    @cached_property
    def amount(self) -> Decimal | None:
        """The largest sum in the text, or the claimed amount if larger."""
        found = amounts.largest(self.document.raw)
        claimed = self.appeal.claim_amount
        if claimed is not None and (found is None or claimed > found):
            return Decimal(claimed)
        return found

    @cached_property
    def in_working_time(self) -> bool:
        from okno.deadlines.calendar import get_calendar

        moment = self.appeal.created_at
        try:
            calendar = get_calendar()
            return calendar.working_time_between(moment, moment + dt.timedelta(seconds=1)) > dt.timedelta(0)
        except InvalidInput:  # outside the calendar's years
            return False


def sender_address(value: str) -> str:
    """The bare address of "Name <a@b.ru>" (or the value as is), folded."""
    value = (value or "").strip()
    if "<" in value:
        value = parseaddr(value)[1] or value
    return value.casefold()


# --- compiled conditions ------------------------------------------------------------------------------


class Condition:
    """One compiled condition: ``test`` decides; ``describe`` and ``actual`` say it
    in words (the rule list, the dry run's "why not")."""

    key: str = ""

    def test(self, facts: Facts) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def actual(self, facts: Facts) -> str:
        raise NotImplementedError

    @property
    def label(self) -> str:
        return str(LABELS[self.key])


def _names(rows: Iterable[Any]) -> str:
    return ", ".join(str(getattr(r, "display_name", r)) for r in rows)


def _choice_label(choices: type[models.TextChoices], code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def _none() -> str:
    return _("none")


class Codes(Condition):
    """A code of the appeal or its client is one of these (channel, segment)."""

    def __init__(self, key: str, codes: Iterable[str], choices: type[models.TextChoices]) -> None:
        self.key = key
        self.codes = frozenset(codes)
        self.choices = choices

    def value(self, facts: Facts) -> str | None:
        if self.key == "channels":
            return facts.appeal.channel
        client = facts.client
        return client.segment if client is not None else None

    def test(self, facts: Facts) -> bool:
        return self.value(facts) in self.codes

    def describe(self) -> str:
        return ", ".join(_choice_label(self.choices, c) for c in sorted(self.codes))

    def actual(self, facts: Facts) -> str:
        value = self.value(facts)
        if value is None:
            return _("the appeal has no client")
        return _choice_label(self.choices, value)


class Rows(Condition):
    """A reference of the appeal is one of these rows (kind, category, product,
    mailbox). ``ids`` may be wider than the rows named (subcategories)."""

    def __init__(self, key: str, rows: list[Any], ids: frozenset[int], read: Callable[[Facts], Any]) -> None:
        self.key = key
        self.rows = rows
        self.ids = ids
        self.read = read

    def test(self, facts: Facts) -> bool:
        return self.read(facts) in self.ids

    def describe(self) -> str:
        return _names(self.rows) or _none()

    def actual(self, facts: Facts) -> str:
        value = self.read(facts)
        if value is None:
            return _none()
        if self.key == "mailboxes":
            from okno.channels.mail.models import Mailbox

            found: Any = Mailbox.objects.filter(pk=value).first()
        else:
            found = getattr(facts.appeal, self.key[:-1] if self.key != "categories" else "category", None)
        return str(getattr(found, "display_name", found)) if found is not None else f"#{value}"


class Organisations(Condition):
    key = "organisations"

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows
        self.ids = frozenset(r.pk for r in rows)

    def test(self, facts: Facts) -> bool:
        return not self.ids.isdisjoint(facts.lineage)

    def describe(self) -> str:
        return _names(self.rows)

    def actual(self, facts: Facts) -> str:
        client = facts.client
        return client.name if client is not None else _("the appeal has no client")


class Senders(Condition):
    key = "senders"

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = list(patterns)
        self.addresses = frozenset(p for p in self.patterns if "@" in p and not p.startswith("@"))
        self.domains = tuple(p.lstrip("@") for p in self.patterns if p not in self.addresses)

    def test(self, facts: Facts) -> bool:
        sender = facts.sender
        if not sender:
            return False
        if sender in self.addresses:
            return True
        domain = sender.rpartition("@")[2]
        return any(domain == d or domain.endswith("." + d) for d in self.domains)

    def describe(self) -> str:
        return ", ".join(self.patterns)

    def actual(self, facts: Facts) -> str:
        return facts.sender or _("no sender address")


class Flag(Condition):
    """A yes/no property: VIP client, attachments."""

    def __init__(self, key: str, wanted: bool) -> None:
        self.key = key
        self.wanted = wanted

    def value(self, facts: Facts) -> bool:
        if self.key == "vip":
            client = facts.client
            return bool(client is not None and client.is_vip)
        return facts.attachments > 0

    def test(self, facts: Facts) -> bool:
        return self.value(facts) == self.wanted

    def describe(self) -> str:
        return _("yes") if self.wanted else _("no")

    def actual(self, facts: Facts) -> str:
        if self.key == "attachments":
            return ngettext("%(n)d file", "%(n)d files", facts.attachments) % {"n": facts.attachments}
        return _("yes") if self.value(facts) else _("no")


class Repeat(Condition):
    key = "repeat"

    def __init__(self, count: int, days: int) -> None:
        self.count = count
        self.days = days

    def test(self, facts: Facts) -> bool:
        return facts.client is not None and facts.repeats.get(self.days, 0) >= self.count

    def describe(self) -> str:
        return ngettext(
            "at least %(count)d earlier appeal in %(days)d days",
            "at least %(count)d earlier appeals in %(days)d days",
            self.count,
        ) % {"count": self.count, "days": self.days}

    def actual(self, facts: Facts) -> str:
        if facts.client is None:
            return _("the appeal has no client")
        n = facts.repeats.get(self.days, 0)
        return ngettext("%(n)d earlier appeal", "%(n)d earlier appeals", n) % {"n": n}


class Text(Condition):
    def __init__(self, key: str, terms: list[str]) -> None:
        self.key = key
        self.sources = terms
        self.terms = [textmatch.compile_term(t, field_of(key)) for t in terms]

    def found(self, facts: Facts) -> textmatch.Term | None:
        doc = facts.document
        for term in self.terms:
            if term.found_in(doc):
                return term
        return None

    def test(self, facts: Facts) -> bool:
        found = self.found(facts)
        return found is not None if self.key == "text" else found is None

    def describe(self) -> str:
        return ", ".join(self.sources)

    def actual(self, facts: Facts) -> str:
        found = self.found(facts)
        if found is None:
            return _("none of the terms occurs")
        return _("“%(term)s” occurs") % {"term": found.source}


class AmountOver(Condition):
    key = "amount_over"

    def __init__(self, threshold: Decimal) -> None:
        self.threshold = threshold

    def test(self, facts: Facts) -> bool:
        amount = facts.amount
        return amount is not None and amount > self.threshold

    def describe(self) -> str:
        return format_amount(self.threshold)

    def actual(self, facts: Facts) -> str:
        amount = facts.amount
        return format_amount(amount) if amount is not None else _("no sum mentioned")


def format_amount(value: Decimal) -> str:
    whole = f"{value:,.2f}".replace(",", "\u00a0")
    return whole[:-3] if whole.endswith(".00") else whole


class ArrivalTimeCondition(Condition):
    key = "arrival"

    def __init__(self, when: str) -> None:
        self.when = when

    def test(self, facts: Facts) -> bool:
        return facts.in_working_time == (self.when == ArrivalTime.WORKING_HOURS)

    def describe(self) -> str:
        return _choice_label(ArrivalTime, self.when)

    def actual(self, facts: Facts) -> str:
        return _choice_label(ArrivalTime, ArrivalTime.WORKING_HOURS if facts.in_working_time else ArrivalTime.OFF_HOURS)


# --- checking what is saved ---------------------------------------------------------------------------


def _list(value: Any, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidInput(_("“%(key)s” must be a list.") % {"key": key}, field=field_of(key))
    if len(value) > MAX_ITEMS:
        raise InvalidInput(_("At most %(n)d items.") % {"n": MAX_ITEMS}, field=field_of(key))
    return value


def _codes(value: Any, key: str, choices: type[models.TextChoices]) -> list[str]:
    out: list[str] = []
    for code in _list(value, key):
        if not isinstance(code, str) or code not in choices.values:
            raise InvalidInput(
                _("Unknown code “%(code)s”; known: %(known)s.") % {"code": code, "known": ", ".join(choices.values)},
                field=field_of(key),
            )
        if code not in out:
            out.append(code)
    return out


def ids(value: Any, field: str) -> list[int]:
    """A list of ids (whole numbers), duplicates dropped."""
    if not isinstance(value, list):
        raise InvalidInput(_("Give a list of ids."), field=field)
    if len(value) > MAX_ITEMS:
        raise InvalidInput(_("At most %(n)d items.") % {"n": MAX_ITEMS}, field=field)
    out: list[int] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= MAX_ID:
            raise InvalidInput(_("“%(value)s” is not an id.") % {"value": item}, field=field)
        if item not in out:
            out.append(item)
    return out


def existing(model: type[models.Model], wanted: list[int], field: str, *, active: bool = True) -> list[Any]:
    """The rows ``wanted`` names, in its order; a missing (or, with ``active``,
    retired) one is an ``InvalidInput`` naming it."""
    found = model._default_manager.in_bulk(wanted)
    for pk in wanted:
        row = found.get(pk)
        if row is None:
            raise InvalidInput(
                _("%(what)s with id %(id)s does not exist.") % {"what": model._meta.verbose_name, "id": pk},
                field=field,
            )
        if active and not getattr(row, "is_active", True):
            raise InvalidInput(
                _("%(what)s “%(name)s” is no longer in use.")
                % {"what": model._meta.verbose_name, "name": getattr(row, "display_name", row)},
                field=field,
            )
    return [found[pk] for pk in wanted]


def _bool(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(_("“%(key)s” must be true or false.") % {"key": key}, field=field_of(key))
    return value


def _sender(value: Any) -> str:
    field = field_of("senders")
    if not isinstance(value, str):
        raise InvalidInput(_("Give the senders as text."), field=field)
    pattern = value.strip().casefold()
    if pattern.startswith("<") and pattern.endswith(">"):
        pattern = pattern[1:-1]
    valid = (
        pattern
        and len(pattern) <= MAX_SENDER
        and not any(c.isspace() or c in ",;<>\"'()" for c in pattern)
        and pattern.count("@") <= 1
        and not pattern.endswith("@")
        and not pattern.endswith(".")
        and not pattern.startswith(".")
    )
    if not valid:
        raise InvalidInput(
            _("“%(value)s” is neither an address (name@example.ru) nor a domain (example.ru or @example.ru).")
            % {"value": value},
            field=field,
        )
    return pattern


def _repeat(value: Any) -> dict[str, int]:
    field = field_of("repeat")
    if not isinstance(value, dict) or set(value) != {"count", "days"}:
        raise InvalidInput(_("Give the repeat condition as {“count”: n, “days”: d}."), field=field)
    count, days = value["count"], value["days"]
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_REPEAT_COUNT:
        raise InvalidInput(
            _("The number of earlier appeals is a whole number from 1 to %(n)d.") % {"n": MAX_REPEAT_COUNT},
            field=field,
        )
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_REPEAT_DAYS:
        raise InvalidInput(
            _("The number of days is a whole number from 1 to %(n)d.") % {"n": MAX_REPEAT_DAYS}, field=field
        )
    return {"count": count, "days": days}


def _amount(value: Any) -> str:
    field = field_of("amount_over")
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise InvalidInput(_("Give the amount as a number, e.g. 1000000."), field=field)
    try:
        amount = Decimal(str(value).replace(" ", "").replace("\u00a0", "").replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(_("Give the amount as a number, e.g. 1000000."), field=field) from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        raise InvalidInput(_("Give the amount as a number, e.g. 1000000."), field=field)
    return str(amount.normalize().quantize(Decimal(1)) if amount == amount.to_integral() else amount.normalize())


def clean_conditions(values: Any) -> dict[str, Any]:
    """The conditions checked and normalised: empty ones dropped, lists
    deduplicated, references checked (they must exist and be in use), terms
    compiled. Raises ``InvalidInput`` whose ``field`` is ``conditions.<key>``."""
    from okno.appeals.models import Category, Kind
    from okno.catalog.models import Product
    from okno.channels.mail.models import Mailbox
    from okno.clients.models import Client

    if values is None:
        return {}
    if not isinstance(values, dict):
        raise InvalidInput(_("Conditions must be an object."), field="conditions")
    unknown = sorted(set(values) - set(CONDITION_KEYS))
    if unknown:
        raise InvalidInput(
            _("Unknown conditions: %(keys)s. Known: %(known)s.")
            % {"keys": ", ".join(unknown), "known": ", ".join(CONDITION_KEYS)},
            field=field_of(unknown[0]),
        )
    out: dict[str, Any] = {}
    for key in CONDITION_KEYS:
        if key not in values or values[key] is None:
            continue
        value = values[key]
        field = field_of(key)
        if key == "channels":
            cleaned: Any = _codes(value, key, Channel)
        elif key == "segments":
            cleaned = _codes(value, key, Segment)
        elif key == "mailboxes":
            cleaned = [m.pk for m in existing(Mailbox, ids(value, field), field)]
        elif key == "organisations":
            cleaned = [c.pk for c in existing(Client, ids(value, field), field, active=False)]
        elif key == "kinds":
            cleaned = [k.pk for k in existing(Kind, ids(value, field), field)]
        elif key == "categories":
            cleaned = [c.pk for c in existing(Category, ids(value, field), field)]
        elif key == "products":
            cleaned = [p.pk for p in existing(Product, ids(value, field), field)]
        elif key == "senders":
            cleaned = list(dict.fromkeys(_sender(v) for v in _list(value, key)))
        elif key in ("vip", "attachments"):
            cleaned = _bool(value, key)
        elif key == "repeat":
            cleaned = _repeat(value)
        elif key in ("text", "text_none"):
            cleaned = textmatch.clean_terms(value, field)
        elif key == "amount_over":
            cleaned = _amount(value)
        else:  # arrival
            if value not in ArrivalTime.values:
                raise InvalidInput(
                    _("Unknown value “%(value)s”; known: %(known)s.")
                    % {"value": value, "known": ", ".join(ArrivalTime.values)},
                    field=field,
                )
            cleaned = value
        if cleaned == []:
            continue
        out[key] = cleaned
    return out


# --- compiling ----------------------------------------------------------------------------------------


class Lookup:
    """Rows the compiled conditions of all rules name, fetched a model at a time."""

    def __init__(self, conditions: Iterable[Mapping[str, Any]]) -> None:
        from okno.appeals.models import Category, Kind
        from okno.catalog.models import Product
        from okno.channels.mail.models import Mailbox
        from okno.clients.models import Client

        models_by_key: dict[str, type[models.Model]] = {
            "mailboxes": Mailbox,
            "organisations": Client,
            "kinds": Kind,
            "categories": Category,
            "products": Product,
        }
        wanted: dict[str, set[int]] = {key: set() for key in models_by_key}
        for condition in conditions:
            for key in models_by_key:
                for pk in condition.get(key) or ():
                    if isinstance(pk, int):
                        wanted[key].add(pk)
        self.rows: dict[str, dict[int, Any]] = {
            key: (models_by_key[key]._default_manager.in_bulk(pks) if pks else {}) for key, pks in wanted.items()
        }
        self.children: dict[int, set[int]] = {}
        if wanted["categories"]:
            for child, parent in Category.objects.filter(parent__isnull=False).values_list("id", "parent_id"):
                self.children.setdefault(parent, set()).add(child)

    def named(self, key: str, pks: Iterable[int]) -> list[Any]:
        found = self.rows[key]
        return [found[pk] for pk in pks if pk in found]


def compile_conditions(values: Mapping[str, Any], lookup: Lookup) -> list[Condition]:
    """The tests of one rule, cheapest first (an appeal usually fails early)."""
    out: list[Condition] = []
    for key in CONDITION_KEYS:
        value = values.get(key)
        if value is None or value == []:
            continue
        if key == "channels":
            out.append(Codes(key, value, Channel))
        elif key == "segments":
            out.append(Codes(key, value, Segment))
        elif key == "mailboxes":
            out.append(Rows(key, lookup.named(key, value), frozenset(value), lambda f: f.mailbox_id))
        elif key == "kinds":
            out.append(Rows(key, lookup.named(key, value), frozenset(value), lambda f: f.appeal.kind_id))
        elif key == "categories":
            wide = set(value)
            for pk in value:
                wide |= lookup.children.get(pk, set())
            out.append(Rows(key, lookup.named(key, value), frozenset(wide), lambda f: f.appeal.category_id))
        elif key == "products":
            out.append(Rows(key, lookup.named(key, value), frozenset(value), lambda f: f.appeal.product_id))
        elif key == "organisations":
            out.append(Organisations(lookup.named(key, value)))
        elif key == "senders":
            out.append(Senders(value))
        elif key in ("vip", "attachments"):
            out.append(Flag(key, bool(value)))
        elif key == "repeat":
            out.append(Repeat(int(value["count"]), int(value["days"])))
        elif key in ("text", "text_none"):
            out.append(Text(key, list(value)))
        elif key == "amount_over":
            out.append(AmountOver(Decimal(str(value))))
        elif key == "arrival":
            out.append(ArrivalTimeCondition(str(value)))
    order = {key: n for n, key in enumerate(_COST_ORDER)}
    out.sort(key=lambda c: order[c.key])
    return out


# Cheap lookups first; the text is split into words only if everything else holds.
_COST_ORDER: Final = (
    "channels",
    "mailboxes",
    "kinds",
    "categories",
    "products",
    "vip",
    "segments",
    "attachments",
    "senders",
    "organisations",
    "repeat",
    "arrival",
    "text",
    "text_none",
    "amount_over",
)
