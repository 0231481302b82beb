"""Replies sent as paper letters: the postal address (checked, pre-filled from the
client), the reply itself through the appeals' reply service, the sender that
turns a released reply into a letter waiting to be posted, and later edits."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals import access as appeal_access
from okno.appeals.choices import Channel, DeliveryStatus, EventKind, Status
from okno.appeals.models import Appeal, Message
from okno.appeals.services import events, notify
from okno.appeals.services import reply as appeal_reply
from okno.appeals.services.attachments import IncomingFile
from okno.appeals.services.common import check_for
from okno.channels.post import tracking
from okno.channels.post.choices import LetterStatus
from okno.channels.post.models import PaperLetter, PostSettings
from okno.channels.post.services.access import visible_letters
from okno.clients.choices import ContactKind
from okno.clients.models import Client
from okno.clients.services import update_client
from okno.core.errors import Conflict, InvalidInput, NotFound

POSTCODE_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{6})(?![0-9])")


@dataclass(frozen=True)
class Address:
    """Where a paper letter goes."""

    addressee: str
    address: str
    postcode: str
    locality: str = ""
    phone: str = ""

    def checked(self) -> Address:
        """Trimmed, with a 6-digit postcode, or ``InvalidInput`` naming the field."""
        addressee = " ".join((self.addressee or "").split())[:300]
        address = "\n".join(line.strip() for line in (self.address or "").splitlines() if line.strip())
        postcode = (self.postcode or "").strip()
        if not addressee:
            raise InvalidInput(_("Say who the letter is addressed to."), field="addressee")
        if not address:
            raise InvalidInput(_("Give the postal address: street, house, flat."), field="address")
        if not tracking.POSTCODE_RE.match(postcode):
            raise InvalidInput(_("The postcode must be 6 digits."), field="postcode")
        return Address(
            addressee=addressee,
            address=address,
            postcode=postcode,
            locality=" ".join((self.locality or "").split())[:300],
            phone=" ".join((self.phone or "").split())[:40],
        )

    def one_line(self) -> str:
        """As a client's postal address is kept: postcode, region and city, street."""
        return ", ".join(part for part in (self.postcode, self.locality, self.address.replace("\n", ", ")) if part)


def address_of(client: Client | None) -> Address:
    """A pre-filled address from the client's card: name, postal address (its
    postcode taken out of the text), primary phone."""
    if client is None:
        return Address(addressee="", address="", postcode="")
    text = client.postal_address or ""
    found = POSTCODE_IN_TEXT.search(text)
    postcode = found.group(1) if found else ""
    rest = POSTCODE_IN_TEXT.sub("", text, count=1) if found else text
    rest = ", ".join(part.strip() for part in rest.replace("\n", ",").split(",") if part.strip())
    phone = next(
        (c.display_value for c in client.contacts.all() if c.kind in (ContactKind.PHONE, ContactKind.WHATSAPP)),
        "",
    )
    return Address(addressee=client.name, address=rest, postcode=postcode, phone=phone)


def _new_letter(message: Message, address: Address, status: LetterStatus) -> PaperLetter:
    defaults = PostSettings.load()
    return PaperLetter.objects.create(
        message=message,
        appeal_id=message.appeal_id,
        author_id=message.author_id,
        status=status,
        addressee=address.addressee,
        address=address.address,
        locality=address.locality,
        postcode=address.postcode,
        phone=address.phone,
        weight_g=defaults.default_weight_g,
        postage=defaults.default_postage,
        mail_kind=defaults.mail_kind,
        mail_class=defaults.mail_class,
    )


def reply_by_post(
    actor: User,
    appeal: Appeal | int,
    address: Address,
    *,
    body_text: str = "",
    body_html: str = "",
    status_after: Status | str = Status.ANSWERED,
    files: Sequence[IncomingFile] = (),
    save_to_client: bool = False,
) -> Message:
    """Reply to the client by a paper letter to ``address``.

    The reply is an ordinary reply on channel "paper" (approval rules apply: a
    held reply's letter waits as a draft and is printed only once released). The
    letter then waits in the "to post" list; the reply counts as sent when its
    registry is posted. ``save_to_client`` also keeps the address on the client's
    card (for those who may edit clients)."""
    address = address.checked()
    check_for(actor, appeal, appeal_access.Action.WORK)

    def attach(message: Message) -> None:
        draft = message.delivery_status == DeliveryStatus.HELD
        _new_letter(message, address, LetterStatus.DRAFT if draft else LetterStatus.TO_PRINT)

    with transaction.atomic():
        message = appeal_reply(
            actor,
            appeal,
            body_text=body_text,
            body_html=body_html,
            status_after=status_after,
            files=files,
            channel=Channel.PAPER,
            before_release=attach,
        )
        if save_to_client:
            client_id = Appeal.objects.filter(pk=message.appeal_id).values_list("client_id", flat=True).first()
            if client_id is not None:
                update_client(actor, client_id, {"postal_address": address.one_line()})
    return message


def send_paper(message: Message) -> None:
    """The sender of channel "paper" (``delivery.register_sender``): a released reply
    becomes a letter waiting to be printed and posted; nothing has left yet.

    A reply made without an address (the API's plain reply on an appeal that came
    on paper) gets the client's card address; if that is incomplete the letter
    still waits, and the registry refuses it until someone fills the address in."""
    letter = PaperLetter.objects.select_for_update().filter(message=message).first()
    if letter is None:
        client = Client.objects.filter(appeals__messages=message).first()
        letter = _new_letter(message, address_of(client), LetterStatus.TO_PRINT)
    elif letter.status == LetterStatus.DRAFT:
        letter.status = LetterStatus.TO_PRINT
        letter.save(update_fields=["status"])
    message.delivery_status = DeliveryStatus.QUEUED
    message.save(update_fields=["delivery_status"])


# --- reading and editing ----------------------------------------------------------

EDITABLE = ("addressee", "address", "locality", "postcode", "phone")
NUMBERS = ("weight_g", "declared_value", "cash_on_delivery", "postage", "special_marks", "tracking_number")


def get_letter(user: User, letter_id: int) -> PaperLetter:
    letter = visible_letters(user).select_related("appeal", "message", "author").filter(pk=letter_id).first()
    if letter is None:
        raise NotFound(_("Letter not found."))
    return letter


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", ".").replace(" ", "")) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        raise InvalidInput(_("Enter an amount in roubles."), field=field) from None
    if amount < 0 or amount >= Decimal("1e10") or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidInput(_("Enter an amount in roubles."), field=field)
    return amount.quantize(Decimal("0.01"))


def _checked_changes(letter: PaperLetter, changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(EDITABLE) - set(NUMBERS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    out: dict[str, Any] = {}
    if set(changes) & set(EDITABLE):
        merged = Address(**{f: changes.get(f, getattr(letter, f)) for f in EDITABLE}).checked()
        out.update({f: getattr(merged, f) for f in EDITABLE})
    if "weight_g" in changes:
        try:
            weight = int(changes["weight_g"])
        except (TypeError, ValueError):
            raise InvalidInput(_("Enter the weight in grams."), field="weight_g") from None
        if not 1 <= weight <= 100_000:
            raise InvalidInput(_("Enter the weight in grams."), field="weight_g")
        out["weight_g"] = weight
    for field in ("declared_value", "cash_on_delivery", "postage"):
        if field in changes:
            out[field] = _money(changes[field], field)
    if "special_marks" in changes:
        out["special_marks"] = " ".join(str(changes["special_marks"] or "").split())[:200]
    if "tracking_number" in changes:
        number = tracking.normalize(str(changes["tracking_number"] or ""))
        if number and not tracking.TRACKING_RE.match(number):
            raise InvalidInput(_("A tracking number is 14 digits."), field="tracking_number")
        out["tracking_number"] = number
    return out


def update_letter(actor: User, letter_id: int, changes: dict[str, Any]) -> PaperLetter:
    """Change a letter's address, weight, sums, marks or tracking number before it
    is posted. A tracking number whose check digit fails is kept, with a warning
    (``letter.tracking_warning``); one already on another letter is refused."""
    get_letter(actor, letter_id)
    if not appeal_access.can_register(actor):
        raise PermissionDenied(_("You may not change letters."))
    with transaction.atomic():
        letter = PaperLetter.objects.select_for_update().get(pk=letter_id)
        if letter.status in (LetterStatus.POSTED, LetterStatus.RETURNED):
            raise Conflict(_("The letter has been posted; it can no longer be changed."))
        values = _checked_changes(letter, changes)
        number = values.get("tracking_number")
        if number and PaperLetter.objects.filter(tracking_number=number).exclude(pk=letter.pk).exists():
            raise Conflict(_("Tracking number %(number)s is on another letter.") % {"number": number})
        for field, value in values.items():
            setattr(letter, field, value)
        try:
            with transaction.atomic():
                letter.save(update_fields=[*values] or None)
        except IntegrityError:
            raise Conflict(_("Tracking number %(number)s is on another letter.") % {"number": number}) from None
    return get_letter(actor, letter_id)


def mark_printed(actor: User, letter_ids: Sequence[int]) -> int:
    """Printing moves letters "to print" → "to post" (printing is optional: both
    may go into a registry). Returns how many moved."""
    ids = list(visible_letters(actor).filter(pk__in=letter_ids).values_list("pk", flat=True))
    return PaperLetter.objects.filter(pk__in=ids, status=LetterStatus.TO_PRINT).update(
        status=LetterStatus.TO_POST, printed_at=timezone.now()
    )


def mark_returned(actor: User, letter_id: int, *, comment: str = "") -> PaperLetter:
    """The post brought the letter back undelivered: the reply is marked bounced,
    with an event on the appeal."""
    from okno.channels.post.services.access import require_post_handler

    require_post_handler(actor)
    get_letter(actor, letter_id)
    with transaction.atomic():
        letter = PaperLetter.objects.select_for_update().select_related("appeal", "message").get(pk=letter_id)
        if letter.status != LetterStatus.POSTED:
            raise Conflict(_("Only a posted letter can come back."))
        letter.status = LetterStatus.RETURNED
        letter.save(update_fields=["status"])
        message = letter.message
        message.delivery_status = DeliveryStatus.BOUNCED
        message.save(update_fields=["delivery_status"])
        appeal = Appeal.objects.select_for_update().get(pk=letter.appeal_id)
        note = _("The letter came back undelivered (tracking number %(number)s).") % {"number": letter.tracking_number}
        events.record(
            appeal,
            EventKind.DELIVERY_FAILED,
            actor,
            message=message,
            comment=f"{note} {comment.strip()}".strip(),
        )
        notify.touch(appeal)
        appeal.save(update_fields=["updated_at"])
        notify.appeal_changed(appeal)
    return letter
