"""Background work of the classifier; each task only wraps a service."""

from __future__ import annotations

from typing import Any

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from okno.background.schedule import periodic

TASK_PATH = "okno.routing.classifier.tasks.retrain_classifiers"


@periodic("0 3 * * 0", description=_("Retrain the classifier on newly closed appeals (weekly)"))
@task
def retrain_classifiers(
    *, target: str = "", force: bool = False, user_id: int | None = None, features: str = ""
) -> list[dict[str, Any]]:
    """Weekly: retrain where enough appeals were closed since the last model. The
    "Train now" button runs it for one target with ``force`` (whatever is new)."""
    from okno.routing.classifier.services import learning

    actor = None
    if user_id is not None:
        from okno.accounts.models import User

        actor = User.objects.get(pk=user_id)
    outcomes = learning.retrain(actor, target=target or None, force=force, features=features or None)
    return [outcome.as_json() for outcome in outcomes]
