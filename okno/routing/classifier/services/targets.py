"""What a model predicts (the appeal field and its reference model) and what it reads
of an appeal. Light on purpose: pages and the API import it, and scikit-learn is
loaded only when a model is trained or used."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from okno.appeals.models import Category, Kind
from okno.catalog.models import Product
from okno.core.errors import InvalidInput
from okno.queues.models import Queue
from okno.routing.classifier.models import Target

TARGET_MODELS: dict[str, type[Any]] = {
    Target.CATEGORY: Category,
    Target.QUEUE: Queue,
    Target.KIND: Kind,
    Target.PRODUCT: Product,
}
# Registration shows the classifier all of a long letter; training needs less.
MAX_TEXT = 20_000


def target_model(target: str) -> type[Any]:
    try:
        return TARGET_MODELS[target]
    except KeyError:
        raise InvalidInput(
            _("Unknown target “%(value)s”; known: %(known)s.") % {"value": target, "known": ", ".join(Target.values)},
            field="target",
        ) from None


def classifier_text(subject: str, text: str) -> str:
    """The same text at training as at registration (``okno.routing.pipeline``)."""
    from okno.routing.pipeline import classifier_text as pipeline_text

    return pipeline_text(subject, text)[:MAX_TEXT]
