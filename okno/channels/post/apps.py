from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _send_by_post(message: object) -> None:
    from okno.channels.post.services import letters

    letters.send_paper(message)  # type: ignore[arg-type]


class PostConfig(AppConfig):
    name = "okno.channels.post"
    label = "post"
    verbose_name = _("Paper letters and Russian Post")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from okno.appeals import delivery
        from okno.appeals.choices import Channel
        from okno.channels.post import reply_option

        delivery.register_sender(Channel.PAPER, _send_by_post)
        delivery.register_reply_option(reply_option.OPTION)
