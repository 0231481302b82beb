"""Accepting files: size and type checked, stored once under their SHA-256.

Checking and writing the bytes happen before the operation's transaction (they
need no lock, and a big file should not hold up everyone else's writes); only the
attachment rows are written inside it. The bytes of a rolled-back operation stay
on disk under their hash, harmless, and are reused if the same file comes again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from okno.appeals import access
from okno.appeals.models import Appeal, Attachment, Message
from okno.appeals.services.actors import Actor, actor_user
from okno.core.errors import InvalidInput
from okno.lib.filetypes import FileType, RejectedFile, safe_filename, sniff


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


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks, with what was learnt about it."""

    filename: str
    file_type: FileType
    size: int
    sha256: str
    path: str


def _path(sha256: str) -> str:
    # Content-addressed: the same file uploaded twice is stored once, and the name
    # on disk never carries the client's file name.
    return f"attachments/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def check_and_save(files: Iterable[IncomingFile]) -> list[CheckedFile]:
    """Validate every file (size, count, type from the content), then write the
    bytes that are not stored yet. Raises before writing anything if one is bad."""
    checked = check(files)
    store(checked)
    return [info for _incoming, info in checked]


def check(files: Iterable[IncomingFile]) -> list[tuple[IncomingFile, CheckedFile]]:
    """Validate every file (size, count, type from the content) without writing:
    :func:`store` writes them once every file of an operation has passed."""
    files = list(files)
    if len(files) > settings.ATTACHMENT_MAX_COUNT:
        raise InvalidInput(
            _("At most %(n)s files can be attached at once.") % {"n": settings.ATTACHMENT_MAX_COUNT}, field="files"
        )
    checked: list[tuple[IncomingFile, CheckedFile]] = []
    for incoming in files:
        if len(incoming.content) > settings.ATTACHMENT_MAX_BYTES:
            raise InvalidInput(
                _("File %(name)s is larger than %(mb)s MB.")
                % {"name": incoming.name, "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
                field="files",
            )
        try:
            file_type = sniff(incoming.content, incoming.name)
        except RejectedFile as exc:
            raise InvalidInput(
                _("File %(name)s was not accepted: %(reason)s.") % {"name": incoming.name, "reason": exc},
                field="files",
            ) from None
        digest = hashlib.sha256(incoming.content).hexdigest()
        checked.append(
            (
                incoming,
                CheckedFile(
                    filename=safe_filename(incoming.name, file_type),
                    file_type=file_type,
                    size=len(incoming.content),
                    sha256=digest,
                    path=_path(digest),
                ),
            )
        )
    return checked


def store(checked: Iterable[tuple[IncomingFile, CheckedFile]]) -> None:
    """Write the bytes of checked files that are not stored yet."""
    for incoming, info in checked:
        if not default_storage.exists(info.path):
            saved = default_storage.save(info.path, ContentFile(incoming.content))
            if saved != info.path:  # a concurrent upload of the same bytes won the race
                default_storage.delete(saved)


def row(appeal: Appeal, info: CheckedFile, actor: Actor, message: Message | None = None) -> Attachment:
    """The attachment row of a file already checked and saved, not inserted yet."""
    attachment = Attachment(
        appeal=appeal,
        message=message,
        filename=info.filename,
        content_type=info.file_type.mime,
        size=info.size,
        sha256=info.sha256,
        uploaded_by=actor_user(actor),
    )
    attachment.file.name = info.path
    return attachment


def attach(
    appeal: Appeal, files: Sequence[CheckedFile], actor: Actor, message: Message | None = None
) -> list[Attachment]:
    """The attachment rows for files already checked and saved."""
    attachments = []
    for info in files:
        attachment = row(appeal, info, actor, message)
        attachment.save()
        attachments.append(attachment)
    return attachments


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
    from okno.appeals.services.common import lock_for

    [checked] = check_and_save([incoming])
    with transaction.atomic():
        locked = lock_for(actor, appeal, access.Action.WORK)
        [attachment] = attach(locked, [checked], actor)
        return attachment
