"""Which appeal a mail answers: by its headers, or by the number in its subject."""

from __future__ import annotations

import re
from dataclasses import dataclass

from okno.appeals.choices import Channel
from okno.appeals.models import Appeal, Message
from okno.clients.models import Client

TOKEN = re.compile(r"\[#(\d{4})-(\d{1,9})\]")


def subject_token(number: str) -> str:
    """What our mail puts in the subject so a reply finds its appeal: ``[#2026-000123]``."""
    return f"[#{number}]"


def with_token(subject: str, number: str) -> str:
    token = subject_token(number)
    return subject if token in subject else f"{subject} {token}".strip()


@dataclass(frozen=True)
class Thread:
    appeal: Appeal
    by: str  # "headers" or "subject"


def find(message_ids: list[str], subject: str, client: Client | None) -> Thread | None:
    """The appeal a mail belongs to, if any.

    In-Reply-To / References naming a mail of ours or of the client's (hard to guess)
    thread whoever sends it: a client may answer from another address or forward to
    a colleague. The ``[#2026-000123]`` token alone threads only mail from the
    appeal's own client; anyone else naming a number gets an appeal of their own, so
    nobody can write into someone else's appeal by guessing numbers.
    """
    ids = [i for i in dict.fromkeys(message_ids) if i][:50]
    if ids:
        found = (
            Message.objects.filter(external_id__in=ids, channel=Channel.MAIL)
            .select_related("appeal")
            .order_by("-id")
            .first()
        )
        if found is not None:
            return Thread(found.appeal, "headers")
    token = TOKEN.search(subject or "")
    if token is None or client is None:
        return None
    appeal = Appeal.objects.filter(year=int(token.group(1)), seq=int(token.group(2)), client=client).first()
    return Thread(appeal, "subject") if appeal is not None else None
