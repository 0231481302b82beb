from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "okno.routing"
    label = "routing"
    verbose_name = _("Routing")

    def ready(self) -> None:
        from okno.appeals.services import hooks
        from okno.routing import pipeline

        hooks.set_router(pipeline.route)
