"""Checks several operations share."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.models import Appeal, Category, Kind
from okno.appeals.services.actors import Actor, SystemActor
from okno.catalog.models import Product
from okno.core import refcache
from okno.core.errors import InvalidInput
from okno.queues.models import Queue


def check_assignee(actor: Actor, queue: Queue | None, assignee: User | None) -> None:
    """An assignee must be active staff who works appeals. Agents hand work only to
    themselves or to members of the appeal's queue; dispatchers, supervisors and
    administrators to anyone."""
    if assignee is None:
        return
    if not assignee.is_active or not (assignee.is_superuser or assignee.role in access.WORK_ROLES):
        raise InvalidInput(_("%(user)s cannot be assigned appeals.") % {"user": assignee}, field="assignee")
    if isinstance(actor, SystemActor) or access.can_assign_anyone(actor) or assignee.pk == actor.pk:
        return
    if queue is None or queue.pk not in access.queue_ids_of(assignee):
        raise InvalidInput(_("%(user)s is not a member of the appeal's queue.") % {"user": assignee}, field="assignee")


def check_reference(kind: Kind | None, category: Category | None, product: Product | None, queue: Queue | None) -> None:
    if kind is not None and not kind.is_active:
        raise InvalidInput(_("This kind of appeal is no longer in use."), field="kind")
    if category is not None and not category.is_active:
        raise InvalidInput(_("This category is no longer in use."), field="category")
    if product is not None and not product.is_active:
        raise InvalidInput(_("This product is no longer in use."), field="product")
    if queue is not None and not queue.is_active:
        raise InvalidInput(_("This queue is no longer in use."), field="queue")


def check_text(subject: str) -> str:
    subject = " ".join(subject.split())
    if not subject:
        raise InvalidInput(_("The subject must not be empty."), field="subject")
    return subject[:500]


def check_amount(value: object) -> Decimal | None:
    """A price or claimed amount: empty, or a non-negative sum with kopecks at most."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(_("Enter the amount as a number, e.g. 12500.00."), field="claim_amount") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12") or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(_("Enter the amount as a number, e.g. 12500.00."), field="claim_amount")
    return amount


def default_kind() -> Kind:
    """The kind an appeal gets when the channel names none: «request», or the first
    active kind (remembered briefly per process: every registration asks)."""
    kind = refcache.get(Kind, code="request", is_active=True) or refcache.get(Kind, is_active=True)
    if kind is None:
        raise InvalidInput(_("No kinds of appeal are set up; an administrator must add one."), field="kind")
    return kind


def check_not_final(appeal: Appeal) -> None:
    from okno.core.errors import Conflict

    if appeal.is_final:
        raise Conflict(
            _("Appeal %(number)s is %(status)s; reopen it first.")
            % {"number": appeal.number, "status": appeal.get_status_display().lower()}
        )


REGULATOR_REFERENCE_LENGTH = 100


def check_regulator(
    forwarded: bool | None, reference: str | None, letter_date: object
) -> tuple[bool, str, date | None]:
    """The "forwarded by the regulator" flag, the regulator's reference number and
    the date of its letter, normalised. A reference or a date without the flag
    implies it (``forwarded=None``); with the flag explicitly off they are refused:
    they describe the forwarding."""
    reference = " ".join((reference or "").split())
    if len(reference) > REGULATOR_REFERENCE_LENGTH:
        raise InvalidInput(
            _("The reference number is at most %(n)d characters long.") % {"n": REGULATOR_REFERENCE_LENGTH},
            field="regulator_reference",
        )
    if letter_date in ("", None):
        letter_date = None
    elif isinstance(letter_date, str):
        try:
            letter_date = date.fromisoformat(letter_date)
        except ValueError:
            raise InvalidInput(_("Enter the date as YYYY-MM-DD."), field="regulator_letter_date") from None
    if letter_date is not None:
        if not isinstance(letter_date, date) or isinstance(letter_date, datetime):
            raise InvalidInput(_("Enter the date as YYYY-MM-DD."), field="regulator_letter_date")
        if letter_date.year < 1990 or letter_date > timezone.localdate() + timedelta(days=1):
            raise InvalidInput(_("The regulator's letter cannot be dated so."), field="regulator_letter_date")
    if forwarded is None:
        forwarded = bool(reference or letter_date)
    if not forwarded and (reference or letter_date):
        raise InvalidInput(
            _("A reference number or letter date needs the “forwarded by the regulator” flag."),
            field="regulator_reference",
        )
    return bool(forwarded), reference, letter_date
