"""The acknowledgement a client gets when their mail becomes an appeal."""

from __future__ import annotations

import re

from django.conf import settings
from django.utils import timezone

from okno.appeals.models import Appeal
from okno.channels.mail import parsing
from okno.channels.mail.choices import OutboundKind
from okno.channels.mail.models import AcknowledgementTemplate, Mailbox
from okno.channels.mail.services import outbox

_CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def language_of(mail: parsing.ParsedMail) -> str:
    """Russian if the client wrote any Russian, else English."""
    return "ru" if _CYRILLIC.search(mail.subject) or _CYRILLIC.search(mail.body_text[:4000]) else "en"


def template_for(mailbox: Mailbox) -> AcknowledgementTemplate | None:
    if mailbox.acknowledgement_template_id is not None:
        return mailbox.acknowledgement_template
    return AcknowledgementTemplate.objects.order_by("id").first()


def queue_many(entries: list[tuple[Appeal, Mailbox, parsing.ParsedMail]]) -> set[int]:
    """Queue the acknowledgements of just-registered appeals in the registering
    transaction (so there is exactly one per appeal, and none for a registration
    that rolled back), each threaded to the client's mail so their reply lands on
    the appeal. Returns the appeals acknowledged; the caller has the outbox sent
    (``outbox.kick``) once for its whole batch."""
    from okno.channels.mail.services.mailboxes import render_acknowledgement

    letters = []
    templates: dict[int, AcknowledgementTemplate | None] = {}
    for appeal, mailbox, mail in entries:
        if not mailbox.acknowledge or not mailbox.smtp_host:
            continue
        recipient = outbox.reply_address(mail)
        if mailbox.pk not in templates:
            templates[mailbox.pk] = template_for(mailbox)
        template = templates[mailbox.pk]
        if not recipient or template is None:
            continue
        due = timezone.localtime(appeal.due_at).date() if appeal.due_at is not None else None
        subject, body = render_acknowledgement(
            template,
            language_of(mail),
            {
                "number": appeal.number,
                "subject": appeal.subject,
                "due_date": due,
                "client_name": appeal.client.name if appeal.client is not None else "",
                "mailbox_name": mailbox.from_name or mailbox.name,
                "organisation": settings.ORGANISATION_NAME,
            },
        )
        letters.append(
            outbox.Letter(
                appeal=appeal,
                mailbox=mailbox,
                kind=OutboundKind.ACKNOWLEDGEMENT,
                recipients=[recipient],
                subject=subject,
                body_text=body,
                in_reply_to=mail.message_id,
                references=[*mail.references, mail.message_id],
            )
        )
    outbox.queue_letters(letters)
    return {letter.appeal.pk for letter in letters}
