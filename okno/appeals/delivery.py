"""How a released reply leaves: through the sender its channel plug-in registered.

Channel plug-ins (mail, messengers) call :func:`register_sender` when their app
loads. A channel with no sender (phone, in person, paper before the post registry)
records the reply as given: the agent conveys it themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from okno.appeals.choices import DeliveryStatus
from okno.appeals.models import Message

Sender = Callable[[Message], None]
_senders: dict[str, Sender] = {}


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
