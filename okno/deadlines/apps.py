from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "okno.deadlines"
    label = "deadlines"
    verbose_name = _("Deadlines and calendars")

    def ready(self) -> None:
        from okno.appeals.services import hooks
        from okno.deadlines.services.clocks import start_new, sync

        hooks.after_change(sync)
        hooks.on_register(start_new, covers=sync)
