"""Trained models in the database: versions per target, one active, signed blobs.

A model is a pickled scikit-learn pipeline, and unpickling runs code. So a blob is
signed with HMAC-SHA256 under a key derived from ``SECRET_KEY`` (HKDF, as
``okno.core.secrets`` derives its keys), bound to its target and version; a blob
whose signature does not verify under the current key or a key in
``SECRET_KEY_FALLBACKS`` is never unpickled (a database restored into another
installation, or a row somebody edited, gives an error instead of running code).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
from functools import cache
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.services import is_admin
from okno.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, choice_of
from okno.routing.classifier.models import ClassifierModel, Target

if TYPE_CHECKING:
    from okno.routing.classifier.services.training import Evaluation, Trained

log = logging.getLogger(__name__)


class ModelUnreadable(Conflict):
    """The stored blob's signature does not verify: it is not loaded."""


# --- signing -------------------------------------------------------------------------


@cache
def _key(secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"okno.routing.classifier", info=b"model-blobs").derive(
        secret_key.encode()
    )


def _keys() -> list[bytes]:
    return [_key(key) for key in (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))]


def _message(target: str, version: int, blob: bytes) -> bytes:
    return f"okno-classifier:{target}:{version}:".encode() + blob


def sign(target: str, version: int, blob: bytes) -> str:
    return hmac.new(_keys()[0], _message(target, version, blob), hashlib.sha256).hexdigest()


def verifies(model: ClassifierModel) -> bool:
    message = _message(model.target, model.version, bytes(model.blob))
    return any(
        hmac.compare_digest(hmac.new(key, message, hashlib.sha256).hexdigest(), model.signature) for key in _keys()
    )


def dump(pipeline: Any) -> bytes:
    import joblib

    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    return buffer.getvalue()


def load_pipeline(model: ClassifierModel) -> Any:
    """The fitted pipeline of ``model``, only if its signature verifies."""
    if not verifies(model):
        # The id and version only: nothing of what the model was trained on.
        log.error(
            "Classifier model %s (%s v%s): the signature does not verify; not loaded",
            model.pk,
            model.target,
            model.version,
        )
        raise ModelUnreadable(
            _(
                "Model v%(version)s cannot be used: its signature does not match this installation's keys "
                "(it was made elsewhere or altered). Train a new one."
            )
            % {"version": model.version}
        )
    import joblib

    return joblib.load(io.BytesIO(bytes(model.blob)))  # the signature verified: our own model


# --- versions ------------------------------------------------------------------------


def require_admin(user: User | None) -> None:
    if user is not None and not is_admin(user):
        raise PermissionDenied(_("Only administrators may train, activate or roll back classifier models."))


def versions(target: str | None = None) -> QuerySet[ClassifierModel]:
    """Stored models (without their blobs), newest first per target."""
    queryset = ClassifierModel.objects.defer("blob").select_related("created_by")
    if target:
        queryset = queryset.filter(target=choice_of(target, Target, "target"))
    return queryset.order_by("target", "-version")


def active(target: str) -> ClassifierModel | None:
    return ClassifierModel.objects.filter(target=target, is_active=True).first()


def get(pk: int, *, target: str | None = None) -> ClassifierModel:
    queryset = ClassifierModel.objects.all()
    if target:
        queryset = queryset.filter(target=target)
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Classifier model not found."))
    return found


def by_version(target: str, version: int) -> ClassifierModel:
    found = ClassifierModel.objects.filter(target=target, version=version).first()
    if found is None:
        raise NotFound(
            _("There is no version %(version)s of the %(target)s model.") % {"version": version, "target": target}
        )
    return found


def save(
    actor: User | None,
    target: str,
    trained: Trained,
    *,
    source: str,
    labels: list[dict[str, Any]],
    extra_metrics: dict[str, Any] | None = None,
    notes: str = "",
) -> ClassifierModel:
    """Store ``trained`` as the next version of ``target``'s model (inactive).

    ``labels`` are the classes in the pipeline's column order,
    ``[{"value": pk, "label": name}, …]``. ``actor`` None: the periodic retraining."""
    require_admin(actor)
    target = choice_of(target, Target, "target")
    if len(labels) != len(trained.classes):
        raise InvalidInput("labels must name each class of the model")
    blob = dump(trained.pipeline)
    evaluation: Evaluation = trained.evaluation
    metrics = {**evaluation.metrics_json(), **(extra_metrics or {})}
    for attempt in range(3):
        try:
            with transaction.atomic():
                version = (ClassifierModel.objects.filter(target=target).aggregate(top=Max("version"))["top"] or 0) + 1
                model = ClassifierModel.objects.create(
                    target=target,
                    version=version,
                    created_by=actor,
                    source=source[:200],
                    features=evaluation.features,
                    trained_on=evaluation.trained,
                    tested_on=evaluation.tested,
                    train_seconds=round(evaluation.train_seconds, 2),
                    accuracy=round(evaluation.accuracy, 4),
                    macro_f1=round(evaluation.macro_f1, 4),
                    metrics=metrics,
                    labels=labels,
                    blob=blob,
                    signature=sign(target, version, blob),
                    notes=notes,
                )
        except IntegrityError:
            if attempt == 2:
                raise
            continue  # another training took the version number: the next one
        log.info("Classifier model %s v%s stored (%s bytes)", target, version, len(blob))
        return model
    raise AssertionError("unreachable")


def activate(actor: User | None, model: ClassifierModel | int) -> ClassifierModel:
    """Make ``model`` its target's active model: registration's suggestions come
    from it at once in this process and within 30 s in every other one."""
    require_admin(actor)
    pk = model.pk if isinstance(model, ClassifierModel) else model
    with transaction.atomic():
        found = ClassifierModel.objects.select_for_update().filter(pk=pk).first()
        if found is None:
            raise NotFound(_("Classifier model not found."))
        if not verifies(found):
            load_pipeline(found)  # logs and raises ModelUnreadable
        if found.is_active:
            return found
        # select_for_update on the target's rows: two activations at once queue up.
        list(ClassifierModel.objects.select_for_update().filter(target=found.target).values_list("pk", flat=True))
        ClassifierModel.objects.filter(target=found.target, is_active=True).update(is_active=False)
        found.is_active = True
        found.activated_at = timezone.now()
        found.save(update_fields=["is_active", "activated_at"])
        # Now (this transaction's own reads) and again at commit (everyone's).
        _forget_loaded()
        transaction.on_commit(_forget_loaded)
    log.info("Classifier model %s v%s activated by %s", found.target, found.version, actor.pk if actor else "system")
    return found


def rollback(actor: User | None, target: str) -> ClassifierModel:
    """Activate the version that was active before the current one: the newest
    earlier version that has been active. Repeated, it steps further back."""
    require_admin(actor)
    target = choice_of(target, Target, "target")
    with transaction.atomic():
        current = ClassifierModel.objects.select_for_update().filter(target=target, is_active=True).first()
        if current is None:
            raise Conflict(_("No %(target)s model is active: there is nothing to roll back.") % {"target": target})
        previous = (
            ClassifierModel.objects.filter(target=target, version__lt=current.version, activated_at__isnull=False)
            .order_by("-version")
            .first()
        )
        if previous is None:
            raise Conflict(_("There is no earlier version that was ever active to roll back to."))
        activated = activate(actor, previous)
        note = _("Rolled back to v%(version)s on %(date)s.") % {
            "version": previous.version,
            "date": date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT"),
        }
        current.notes = f"{current.notes}\n{note}".strip()
        current.save(update_fields=["notes"])
    return activated


def note(model: ClassifierModel, text: str) -> None:
    model.notes = f"{model.notes}\n{text}".strip()
    model.save(update_fields=["notes"])


def _forget_loaded() -> None:
    from okno.routing.classifier.services import predict

    predict.forget()
