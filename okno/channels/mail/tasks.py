"""Background work of the mail channel; each task only wraps a service."""

from __future__ import annotations

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from okno.background.schedule import periodic


@periodic("* * * * *", description=_("Process received mail that no task has taken (after a crash)"))
@task
def process_inbound() -> dict[str, int]:
    """Turn pending received mail into appeals, threaded messages, bounce records."""
    from okno.channels.mail.services import intake

    return vars(intake.process_pending())


@periodic("* * * * *", description=_("Send queued mail and retry what the SMTP server refused for now"))
@task
def send_outbox() -> int:
    from okno.channels.mail.services import outbox

    return outbox.send_due()
