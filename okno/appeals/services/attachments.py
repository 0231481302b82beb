"""Accepting files: size and type checked, stored once under their SHA-256."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from okno.appeals.models import Appeal, Attachment, Message
from okno.appeals.models.message import attachment_path
from okno.appeals.services.actors import Actor, actor_user
from okno.core.errors import InvalidInput
from okno.lib.filetypes import RejectedFile, safe_filename, sniff


@dataclass(frozen=True)
class IncomingFile:
    """A file as a channel or a form hands it over."""

    name: str
    content: bytes

    @classmethod
    def read(cls, name: str, stream: IO[bytes], limit: int | None = None) -> IncomingFile:
        limit = settings.ATTACHMENT_MAX_BYTES if limit is None else limit
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise InvalidInput(
                _("File %(name)s is larger than %(mb)s MB.") % {"name": name, "mb": limit // (1024 * 1024)},
                field="files",
            )
        return cls(name=name, content=data)


def check_files(files: Iterable[IncomingFile]) -> list[IncomingFile]:
    """Validate before anything is written, so a bad file fails the whole operation."""
    files = list(files)
    if len(files) > settings.ATTACHMENT_MAX_COUNT:
        raise InvalidInput(
            _("At most %(n)s files can be attached at once.") % {"n": settings.ATTACHMENT_MAX_COUNT}, field="files"
        )
    for incoming in files:
        if len(incoming.content) > settings.ATTACHMENT_MAX_BYTES:
            raise InvalidInput(
                _("File %(name)s is larger than %(mb)s MB.")
                % {"name": incoming.name, "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
                field="files",
            )
        try:
            sniff(incoming.content, incoming.name)
        except RejectedFile as exc:
            raise InvalidInput(
                _("File %(name)s was not accepted: %(reason)s.") % {"name": incoming.name, "reason": exc},
                field="files",
            ) from None
    return files


def store(appeal: Appeal, incoming: IncomingFile, actor: Actor, message: Message | None = None) -> Attachment:
    file_type = sniff(incoming.content, incoming.name)
    digest = hashlib.sha256(incoming.content).hexdigest()
    attachment = Attachment(
        appeal=appeal,
        message=message,
        filename=safe_filename(incoming.name, file_type),
        content_type=file_type.mime,
        size=len(incoming.content),
        sha256=digest,
        uploaded_by=actor_user(actor),
    )
    path = attachment_path(attachment, incoming.name)
    if not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(incoming.content))
        if saved != path:  # a concurrent upload of the same bytes won the race
            default_storage.delete(saved)
    attachment.file.name = path
    attachment.save()
    return attachment


def store_all(
    appeal: Appeal, files: Iterable[IncomingFile], actor: Actor, message: Message | None = None
) -> list[Attachment]:
    return [store(appeal, incoming, actor, message) for incoming in check_files(files)]


def bind(appeal: Appeal, attachments: Iterable[Attachment], message: Message) -> None:
    """Attach files uploaded earlier (through the API) to a message of the same appeal."""
    for attachment in attachments:
        if attachment.appeal_id != appeal.pk or attachment.message_id is not None:
            raise InvalidInput(_("Attachment %(id)s cannot be used here.") % {"id": attachment.pk}, field="attachments")
        attachment.message = message
        attachment.save(update_fields=["message"])


def upload(actor: Actor, appeal: Appeal | int, incoming: IncomingFile) -> Attachment:
    """Store a file on an appeal ahead of the reply or note that will carry it
    (the API's two-step upload). Until then it belongs to no message."""
    from django.db import transaction

    from okno.appeals import access
    from okno.appeals.services.common import lock_for

    with transaction.atomic():
        locked = lock_for(actor, appeal, access.Action.WORK)
        [checked] = check_files([incoming])
        return store(locked, checked, actor)
