from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "okno.appeals"
    label = "appeals"
    verbose_name = _("Appeals")
