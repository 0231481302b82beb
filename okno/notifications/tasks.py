"""Background jobs of the notifications app: they only wrap services."""

from __future__ import annotations

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from okno.background.schedule import periodic
from okno.notifications import services


@periodic("*/1 * * * *", description=_("Send notification e-mails"))
@task
def send_notification_emails() -> dict[str, int]:
    return services.send_pending_emails()


@periodic("23 3 * * *", description=_("Delete old read notifications"))
@task
def prune_notifications() -> dict[str, int]:
    return {"deleted": services.prune()}
