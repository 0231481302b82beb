"""How a released reply leaves: through the sender its channel plug-in registered.

Channel plug-ins (mail, messengers) call :func:`register_sender` when their app
loads. A channel with no sender (phone, in person, paper before the post registry)
records the reply as given: the agent conveys it themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from okno.appeals.choices import DeliveryStatus
from okno.appeals.models import Appeal, Message

if TYPE_CHECKING:
    from django.http import HttpRequest

Sender = Callable[[Message], None]
_senders: dict[str, Sender] = {}


@dataclass(frozen=True)
class ReplyOption:
    """Another way to send a reply from the appeal page, offered by a channel
    plug-in (the paper letter). Its ``template`` is rendered inside the reply form
    with ``context(request, appeal)``; a form posted with ``deliver_as=<channel>``
    is answered by ``reply(request, appeal, data)`` instead of the plain reply
    (``data``: the reply form's cleaned text, status and files)."""

    channel: str
    template: str
    context: Callable[[HttpRequest, Appeal], dict[str, Any]]
    reply: Callable[[HttpRequest, Appeal, dict[str, Any]], Message]


_reply_options: dict[str, ReplyOption] = {}


def register_reply_option(option: ReplyOption) -> None:
    _reply_options[option.channel] = option


def reply_options() -> list[ReplyOption]:
    return list(_reply_options.values())


def reply_option(channel: str) -> ReplyOption | None:
    return _reply_options.get(channel)


def register_sender(channel: str, sender: Sender) -> None:
    """``sender(message)`` is called inside the releasing transaction: it records
    durable work (an outbox row, a task) that sends after the commit, and sets the
    message's delivery status. It must not raise for delivery problems but record
    them on the message."""
    _senders[channel] = sender


def release(message: Message) -> None:
    sender = _senders.get(message.channel)
    if sender is None:
        message.delivery_status = DeliveryStatus.SENT
        message.sent_at = timezone.now()
        message.save(update_fields=["delivery_status", "sent_at"])
    else:
        sender(message)
