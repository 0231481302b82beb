"""API: the classifier's model versions (administrators switch them and start a
training), its suggestion for a text (staff who register appeals), and each queue's
threshold for applying suggestions automatically."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from okno.accounts.services import is_admin
from okno.appeals import access
from okno.core.apitools import Id, InputSchema, ShortText, UserRef, current_user
from okno.routing.classifier.models import ClassifierModel
from okno.routing.classifier.services import learning, predict, store, thresholds
from okno.routing.classifier.services.targets import classifier_text

router = Router(tags=["classifier"])

TargetName = Annotated[str, StringConstraints(max_length=20)]
SuggestText = Annotated[str, StringConstraints(max_length=200_000)]


class ModelOut(Schema):
    id: int
    target: str
    version: int
    created_at: datetime
    created_by: UserRef | None
    source: str = Field(description='"appeals" or the CSV file it was trained on.')
    features: str = Field(description="chars, lemmas or both.")
    trained_on: int
    tested_on: int
    train_seconds: float
    accuracy: float | None
    macro_f1: float | None
    metrics: dict[str, Any] = Field(
        description="Per-class precision/recall/F1/support (classes), the confusion among the worst classes "
        "(confusion: labels, matrix with an 'other' column), classes left out for too few examples (dropped)."
    )
    labels: list[dict[str, Any]] = Field(description='The classes: [{"value": pk, "label": name}, …].')
    is_active: bool
    activated_at: datetime | None
    notes: str


class TrainIn(InputSchema):
    target: TargetName = Field("category", description="category, queue, kind or product.")
    features: TargetName = Field("", description="chars, lemmas or both; empty: the active model's, else chars.")


class TrainOut(Schema):
    task_id: str = Field(description="The background task; GET /system/tasks shows its state.")


class SuggestIn(InputSchema):
    text: SuggestText
    subject: ShortText = ""


class SuggestOut(Schema):
    suggestions: dict[str, dict[str, Any]] = Field(
        description='target → {"value": pk, "label", "confidence": 0..1, "model": version}; {} without an active model.'
    )


class ThresholdIn(InputSchema):
    threshold: float | None = Field(
        description="Apply the classifier's suggestion from this confidence (0.5–1.0); null: never."
    )


class ThresholdOut(Schema):
    queue: int
    threshold: float | None


def _admin(request: HttpRequest) -> Any:
    user = current_user(request)
    store.require_admin(user)
    return user


@router.get("/classifier/models", response=list[ModelOut], summary="Classifier model versions")
def list_models(request: HttpRequest, target: TargetName = "") -> list[ClassifierModel]:
    """Newest first per target. Administrators and staff who register appeals."""
    user = current_user(request)
    if not (is_admin(user) or access.can_register(user)):
        raise PermissionDenied(_("You may not see the classifier's models."))
    return list(store.versions(target or None))


@router.post("/classifier/models/{model_id}/activate", response=ModelOut, summary="Activate a model version")
def activate_model(request: HttpRequest, model_id: Id) -> ClassifierModel:
    """Administrators. Registration uses it at once (other processes within 30 s)."""
    user = _admin(request)
    return store.activate(user, store.get(model_id))


@router.post("/classifier/rollback", response=ModelOut, summary="Roll back to the previous model version")
def rollback(request: HttpRequest, target: TargetName = "category") -> ClassifierModel:
    """Administrators: the newest earlier version that was once active becomes active again."""
    return store.rollback(_admin(request), target)


@router.post("/classifier/train", response={202: TrainOut}, summary="Train a new model version now")
def train(request: HttpRequest, body: TrainIn) -> Any:
    """Administrators. Runs in the background on the closed appeals; the new model
    replaces the active one only if it is not worse on the same held-out appeals."""
    task_id = learning.enqueue_training(_admin(request), body.target, body.features or None)
    return Status(202, {"task_id": task_id})


@router.post("/classifier/suggest", response=SuggestOut, summary="The classifier's suggestion for a text")
def suggest(request: HttpRequest, body: SuggestIn) -> dict[str, Any]:
    """Staff who may register appeals; what registration would be suggested."""
    user = current_user(request)
    if not access.can_register(user):
        raise PermissionDenied(_("Only staff who register appeals may ask the classifier."))
    found = predict.suggest_many([classifier_text(body.subject, body.text)])[0]
    return {"suggestions": {target: s.as_json() for target, s in found.items()}}


@router.put("/routing/queues/{queue_id}/threshold", response=ThresholdOut, summary="A queue's classifier threshold")
def set_threshold(request: HttpRequest, queue_id: Id, body: ThresholdIn) -> dict[str, Any]:
    """Administrators. From this confidence the rule action "apply the classifier's
    suggestion" applies it in the queue; null: never."""
    routing = thresholds.set_threshold(_admin(request), queue_id, body.threshold)
    return {"queue": routing.queue_id, "threshold": routing.auto_apply_threshold}
