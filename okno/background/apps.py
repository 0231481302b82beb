from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackgroundConfig(AppConfig):
    name = "okno.background"
    label = "background"
    verbose_name = _("Background work")

    def ready(self) -> None:
        # Every app's tasks.py, so its @periodic jobs are known to the scheduler and
        # the administrators' page in every process, not only where it was imported.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
