from __future__ import annotations

import threading

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _send_by_mail(message: object) -> None:
    from okno.channels.mail.services import outbox

    outbox.queue_reply(message)  # type: ignore[arg-type]


def _start_listeners(stop: threading.Event) -> object:
    from okno.channels.mail import listener

    return listener.start_in_background(stop)


class MailConfig(AppConfig):
    name = "okno.channels.mail"
    label = "mail"
    verbose_name = _("E-mail channel")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from okno.appeals import delivery
        from okno.appeals.choices import Channel
        from okno.background import listeners

        delivery.register_sender(Channel.MAIL, _send_by_mail)
        listeners.register(_start_listeners)
