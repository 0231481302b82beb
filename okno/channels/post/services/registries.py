"""Registries of registered mail (Russian Post form 103): forming them from the
letters waiting, tracking numbers, posting, and undoing a mistaken one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.appeals.choices import DeliveryStatus, EventKind
from okno.appeals.models import Appeal, Event, Message
from okno.appeals.services import events, notify
from okno.channels.post import tracking
from okno.channels.post.choices import LetterStatus, RegistryStatus
from okno.channels.post.models import PaperLetter, PostRegistry, PostSettings, RegistryBatch
from okno.channels.post.services.access import require_post_handler, visible_batches, visible_letters
from okno.core import fastsql
from okno.core.errors import Conflict, InvalidInput, NotFound

LIST_SIZE = 35  # items on one list of form 103


def assign_numbers(count: int, today: date | None = None) -> list[str]:
    """``count`` new tracking numbers from the settings' counter, with their check
    digits. Safe under concurrency on SQLite and PostgreSQL: the counter moves by
    one UPDATE (which takes the row's write lock) before it is read back, so two
    transactions never reserve the same serials. The counter restarts each month."""
    if count <= 0:
        return []
    today = today or timezone.localdate()
    conf = PostSettings.load()
    if not tracking.POSTCODE_RE.match(conf.office_postcode):
        raise InvalidInput(
            _("Set the accepting post office's postcode in the post settings before numbers are assigned."),
            field="office_postcode",
        )
    month = tracking.month_code_of(today, conf.month_code)
    with transaction.atomic():
        PostSettings.objects.filter(pk=1).exclude(serial_month=month).update(
            serial_month=month, next_serial=F("serial_from")
        )
        PostSettings.objects.filter(pk=1).update(next_serial=F("next_serial") + count)
        after, last = PostSettings.objects.filter(pk=1).values_list("next_serial", "serial_to").get()
        first = after - count
        if after - 1 > last:
            raise Conflict(
                _("The range of tracking numbers is used up for this month; extend it in the post settings.")
            )
    return [tracking.make(conf.office_postcode, month, serial) for serial in range(first, after)]


def get_batch(user: User, batch_id: int) -> RegistryBatch:
    batch = visible_batches(user).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(_("Registry not found."))
    return batch


def form_registry(actor: User, letter_ids: Sequence[int] | None = None) -> RegistryBatch:
    """Put letters waiting to be posted on lists of form 103, ``LIST_SIZE`` to a list,
    numbered on from today's last list. ``letter_ids`` None: every waiting letter
    the actor sees. A letter not seen is "not found"; one not waiting, or with an
    incomplete address, refuses the whole registry (nothing half-formed).
    Letters without a tracking number get one if the settings say Okno assigns them."""
    require_post_handler(actor)
    visible = visible_letters(actor)
    with transaction.atomic():
        if letter_ids is None:
            chosen = visible.filter(status__in=LetterStatus.waiting_values())
        else:
            wanted = set(letter_ids)
            if not wanted:
                raise InvalidInput(_("Choose the letters to post."), field="letters")
            chosen = visible.filter(pk__in=wanted)
        letters = list(
            PaperLetter.objects.select_for_update()
            .filter(pk__in=chosen.values("pk"))
            .order_by("postcode", "created_at", "id")
            .only("id", "status", "postcode", "address", "addressee", "tracking_number")
        )
        if letter_ids is not None and len(letters) != len(set(letter_ids)):
            missing = sorted(set(letter_ids) - {letter.pk for letter in letters})
            raise NotFound(_("Letters not found: %(ids)s.") % {"ids": ", ".join(map(str, missing[:20]))})
        if not letters:
            raise InvalidInput(_("No letters are waiting to be posted."), field="letters")
        busy = [letter.pk for letter in letters if letter.status not in LetterStatus.waiting_values()]
        if busy:
            raise Conflict(
                _("These letters are not waiting to be posted: %(ids)s.") % {"ids": ", ".join(map(str, busy[:20]))}
            )
        incomplete = [
            letter.pk
            for letter in letters
            if not (tracking.POSTCODE_RE.match(letter.postcode) and letter.address and letter.addressee)
        ]
        if incomplete:
            raise InvalidInput(
                _("Fill in the postal address of letters %(ids)s first.")
                % {"ids": ", ".join(map(str, incomplete[:20]))},
                field="letters",
            )
        conf = PostSettings.load()
        if conf.assign_tracking:
            unnumbered = [letter for letter in letters if not letter.tracking_number]
            for letter, number in zip(unnumbered, assign_numbers(len(unnumbered)), strict=True):
                letter.tracking_number = number
        batch = RegistryBatch.objects.create(created_by=actor, letter_count=len(letters))
        today = timezone.localdate()
        # Numbering the day's lists: the (date, number) constraint turns a race into a 409.
        last = PostRegistry.objects.filter(date=today).aggregate(n=Max("number"))["n"] or 0
        chunks = [letters[i : i + LIST_SIZE] for i in range(0, len(letters), LIST_SIZE)]
        lists = [
            PostRegistry(
                batch=batch,
                date=today,
                number=last + k + 1,
                mail_kind=conf.mail_kind,
                mail_class=conf.mail_class,
                payer=conf.payer,
                payment_method=conf.payment_method,
                sender_name=conf.sender_name or conf.org_name,
                sender_address=conf.sender_address or conf.org_address,
                office_postcode=conf.office_postcode,
                office_name=conf.office_name,
            )
            for k in range(len(chunks))
        ]
        PostRegistry.objects.bulk_create(lists)
        if lists[0].pk is None:  # backends without RETURNING on bulk inserts
            lists = list(PostRegistry.objects.filter(batch=batch).order_by("number"))
        for registry, chunk in zip(lists, chunks, strict=True):
            _put_on_list(registry, chunk)
    return batch


def _put_on_list(registry: PostRegistry, letters: Sequence[PaperLetter]) -> None:
    """The letters onto ``registry`` in their order, with their tracking numbers: one
    UPDATE for the list. (``bulk_update`` builds an ORM ``Case(When(pk=…))`` per letter
    and field: 0.4 s of the 0.5 s that forming 1,000 letters took, bench/README.md.)"""
    meta = PaperLetter._meta
    quote = connection.ops.quote_name
    columns = {field.name: quote(str(field.column)) for field in meta.concrete_fields}
    table = quote(meta.db_table)
    pk, registry_col, status, position, number = (
        columns[name] for name in ("id", "registry", "status", "position", "tracking_number")
    )
    cases = " ".join(["WHEN %s THEN %s"] * len(letters))
    sql = (
        f"UPDATE {table} SET {registry_col} = %s, {status} = %s,"  # noqa: S608 - names from the model, values bound
        f" {position} = CASE {pk} {cases} END, {number} = CASE {pk} {cases} END"
        f" WHERE {pk} IN ({fastsql.placeholders(letters)})"
    )
    params: list[Any] = [registry.pk, LetterStatus.IN_REGISTRY.value]
    for k, letter in enumerate(letters, start=1):
        params += (letter.pk, k)
    for letter in letters:
        params += (letter.pk, letter.tracking_number)
    params += [letter.pk for letter in letters]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    for k, letter in enumerate(letters, start=1):
        letter.registry, letter.position, letter.status = registry, k, LetterStatus.IN_REGISTRY


def undo_registry(actor: User, batch_id: int) -> RegistryBatch:
    """A mistaken registry, not yet posted: its letters go back to "to post" (with
    the tracking numbers they got) and its list numbers are free again."""
    require_post_handler(actor)
    get_batch(actor, batch_id)
    with transaction.atomic():
        batch = RegistryBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != RegistryStatus.FORMED:
            raise Conflict(_("Only a registry that has not been posted can be undone."))
        PaperLetter.objects.filter(registry__batch=batch).update(
            status=LetterStatus.TO_POST, registry=None, position=None
        )
        PostRegistry.objects.filter(batch=batch).delete()
        batch.status = RegistryStatus.UNDONE
        batch.save(update_fields=["status"])
    return batch


def post_registry(actor: User, batch_id: int) -> RegistryBatch:
    """The registry was handed in at the post office: each letter is posted, each
    reply sent (its external id the tracking number), with an event on each appeal.
    Posting twice is a conflict."""
    require_post_handler(actor)
    get_batch(actor, batch_id)
    now = timezone.now()
    with transaction.atomic():
        batch = RegistryBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != RegistryStatus.FORMED:
            raise Conflict(_("This registry has already been posted or undone."))
        letters = list(
            PaperLetter.objects.filter(registry__batch=batch).only("id", "message_id", "appeal_id", "tracking_number")
        )
        unnumbered = [letter.pk for letter in letters if not letter.tracking_number]
        if unnumbered:
            raise Conflict(
                _("Letters %(ids)s have no tracking number yet.") % {"ids": ", ".join(map(str, unnumbered[:20]))}
            )
        PaperLetter.objects.filter(registry__batch=batch).update(status=LetterStatus.POSTED, posted_at=now)
        messages = {m.pk: m for m in Message.objects.filter(pk__in=[letter.message_id for letter in letters])}
        for letter in letters:
            message = messages[letter.message_id]
            message.delivery_status = DeliveryStatus.SENT
            message.sent_at = now
            message.external_id = letter.tracking_number
        Message.objects.bulk_update(
            list(messages.values()), ["delivery_status", "sent_at", "external_id"], batch_size=500
        )
        appeals = {a.pk: a for a in Appeal.objects.filter(pk__in={letter.appeal_id for letter in letters})}
        # REPLY_SENT again, now that it has really left: adding an event kind would
        # change the appeals' choices (a migration of theirs); the comment says how.
        fastsql.insert_many(
            [
                Event(
                    **events.values(
                        appeals[letter.appeal_id],
                        EventKind.REPLY_SENT,
                        actor,
                        message=letter.message_id,
                        comment=_("Reply sent by post, tracking number %(number)s.")
                        % {"number": letter.tracking_number},
                        at=now,
                    )
                )
                for letter in letters
            ]
        )
        Appeal.objects.filter(pk__in=appeals).update(updated_at=now)
        for appeal in appeals.values():
            appeal.updated_at = now
            notify.appeal_changed(appeal)
        batch.status = RegistryStatus.POSTED
        batch.posted_at = now
        batch.posted_by = actor
        batch.save(update_fields=["status", "posted_at", "posted_by"])
    return batch
