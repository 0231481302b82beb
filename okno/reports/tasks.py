"""Background work of the reports app: it only wraps a service."""

from __future__ import annotations

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from okno.background.schedule import periodic
from okno.reports.services import saved


@periodic("*/5 * * * *", description=_("Mail the saved reports that are due"))
@task
def send_saved_reports() -> dict[str, int]:
    return saved.send_due()
