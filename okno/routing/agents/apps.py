from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgentsConfig(AppConfig):
    name = "okno.routing.agents"
    label = "agents"
    verbose_name = _("Agents and assignment")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_save, pre_save

        from okno.appeals.models import Appeal
        from okno.appeals.services import hooks
        from okno.queues.models import Membership
        from okno.routing.agents.services import assignment, triggers

        # Capacity freed by any appeal operation is filled in its transaction.
        hooks.after_change(triggers.appeal_changed)
        # New appeals are assigned by the routing pipeline; this only notifies.
        hooks.on_register(assignment.notify_auto_assigned, covers=triggers.appeal_changed)
        pre_save.connect(triggers.remember_before, sender=Appeal, dispatch_uid="agents.remember_before")
        post_save.connect(triggers.membership_saved, sender=Membership, dispatch_uid="agents.membership_saved")
        user_logged_out.connect(triggers.logged_out, dispatch_uid="agents.logged_out")
