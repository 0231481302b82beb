"""Training models from the organisation's data and deciding which one is used.

- :func:`train_from_appeals` and :func:`train_from_csv` fit, measure and store a new
  version (what ``manage.py classifier train`` and the "Train now" button do).
- :func:`retrain` is the weekly job: it trains only when enough appeals were closed
  since the last model, and the new model replaces the active one only if its
  macro-F1 on the same held-out appeals is not worse by more than ``TOLERANCE``;
  otherwise it is kept, inactive, with a note saying why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.core.errors import Conflict, InvalidInput, choice_of
from okno.routing.classifier.models import ClassifierModel, Target
from okno.routing.classifier.services import store
from okno.routing.classifier.services.features import DEFAULT_FEATURES, FEATURES

if TYPE_CHECKING:
    # scikit-learn is imported when a model is trained, not when a page loads this.
    from okno.routing.classifier.services.training import Dataset, Evaluation, Progress, Trained

log = logging.getLogger(__name__)

# A new model may score this much lower than the active one and still replace it
# (the noise of a held-out split of a few hundred appeals).
TOLERANCE = 0.01
SOURCE_APPEALS = "appeals"


def min_examples() -> int:
    return int(getattr(settings, "CLASSIFIER_MIN_EXAMPLES", 200))


def _nothing(stage: str) -> None:
    return None


@dataclass
class Outcome:
    """What a training run did, for the command, the task's result and the page."""

    target: str
    status: str  # "activated" | "kept" | "skipped"
    message: str
    model: ClassifierModel | None = None
    evaluation: Evaluation | None = None
    compared: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"target": self.target, "status": self.status, "message": self.message}
        if self.model is not None:
            out["version"] = self.model.version
            out["model"] = self.model.pk
        if self.evaluation is not None:
            out["macro_f1"] = round(self.evaluation.macro_f1, 4)
            out["accuracy"] = round(self.evaluation.accuracy, 4)
        return out


def check_features(features: str | None) -> str:
    if not features:
        return DEFAULT_FEATURES
    if features not in FEATURES:
        raise InvalidInput(
            _("Unknown features “%(value)s”; known: %(known)s.") % {"value": features, "known": ", ".join(FEATURES)},
            field="features",
        )
    return features


def _labels(trained: Trained, names: dict[str, str]) -> list[dict[str, Any]]:
    return [{"value": int(c), "label": names.get(c, c)} for c in trained.classes]


def _train(dataset: Dataset, *, features: str, test_size: float | None, minimum: int, progress: Progress) -> Trained:
    from okno.routing.classifier.services import training
    from okno.routing.classifier.services.training import TrainingError

    try:
        return training.train(
            dataset,
            features=features,
            test_size=training.DEFAULT_TEST_SIZE if test_size is None else test_size,
            min_examples=minimum,
            progress=progress,
        )
    except TrainingError as exc:
        raise InvalidInput(_("Cannot train: %(reason)s.") % {"reason": exc}) from None


def train_from_appeals(
    actor: User | None,
    target: str = Target.CATEGORY,
    *,
    features: str | None = None,
    test_size: float | None = None,
    minimum: int | None = None,
    activate: bool | None = None,
    progress: Progress = _nothing,
) -> Outcome:
    """Train ``target``'s model on the closed appeals and store it as a new version.
    ``activate``: True always, False never, None by the not-worse rule."""
    from okno.routing.classifier.services import data

    store.require_admin(actor)
    target = choice_of(target, Target, "target")
    features = check_features(features)
    progress("loading")
    found = data.appeals_dataset(target)
    trained = _train(
        found.dataset,
        features=features,
        test_size=test_size,
        minimum=min_examples() if minimum is None else minimum,
        progress=progress,
    )
    model = store.save(
        actor,
        target,
        trained,
        source=SOURCE_APPEALS,
        labels=_labels(trained, found.dataset.names),
        extra_metrics={"closed_until": found.closed_until.isoformat() if found.closed_until else None},
    )
    return _decide(actor, model, trained, activate)


def train_from_csv(
    actor: User | None,
    target: str,
    path: str | Path,
    *,
    text_column: str,
    label_column: str,
    create_missing: bool = False,
    features: str | None = None,
    test_size: float | None = None,
    minimum: int | None = None,
    activate: bool | None = None,
    progress: Progress = _nothing,
) -> Outcome:
    """Train ``target``'s model on a CSV export; its labels must name existing rows
    (by code, name or English name) unless ``create_missing``."""
    from okno.routing.classifier.services import data

    store.require_admin(actor)
    target = choice_of(target, Target, "target")
    features = check_features(features)
    progress("loading")
    rows = data.read_csv(path, text_column, label_column)
    minimum = min_examples() if minimum is None else minimum
    if len(rows.texts) < minimum:  # before any row is created for the labels
        raise InvalidInput(
            _("Cannot train: %(reason)s.")
            % {"reason": _("the CSV has %(n)s examples, %(needed)s needed") % {"n": len(rows.texts), "needed": minimum}}
        )
    matched = data.match_labels(target, rows.labels, create_missing=create_missing)
    dataset = data.matched_dataset(rows, matched, Path(path).name)
    trained = _train(dataset, features=features, test_size=test_size, minimum=minimum, progress=progress)
    model = store.save(actor, target, trained, source=Path(path).name, labels=_labels(trained, dataset.names))
    return _decide(actor, model, trained, activate)


def _decide(actor: User | None, model: ClassifierModel, trained: Trained, activate: bool | None) -> Outcome:
    evaluation = trained.evaluation
    if activate is False:
        return Outcome(model.target, "kept", _("Stored inactive, as asked."), model, evaluation)
    if activate:
        store.activate(actor, model)
        return Outcome(model.target, "activated", _("Activated, as asked."), model, evaluation)
    current = store.active(model.target)
    if current is None:
        store.activate(actor, model)
        message = _("Activated: no model was active.")
        store.note(model, message)
        return Outcome(model.target, "activated", message, model, evaluation)
    compared = compare(current, trained)
    if compared.get("unreadable"):
        store.activate(actor, model)
        message = _("Activated: the active v%(old)s cannot be loaded.") % {"old": current.version}
        store.note(model, message)
        return Outcome(model.target, "activated", message, model, evaluation)
    new, old = evaluation.macro_f1, compared["macro_f1"]
    figures = {"new": f"{new:.3f}", "old": f"{old:.3f}", "version": current.version, "n": evaluation.tested}
    if new >= old - TOLERANCE:
        store.activate(actor, model)
        message = (
            _("Activated: macro-F1 %(new)s against %(old)s of v%(version)s on the same %(n)s held-out examples.")
            % figures
        )
        status = "activated"
    else:
        message = (
            _(
                "Kept inactive: macro-F1 %(new)s is worse than %(old)s of the active v%(version)s on the same "
                "%(n)s held-out examples."
            )
            % figures
        )
        status = "kept"
    model.metrics = {**model.metrics, "compared": {"version": current.version, "macro_f1": round(old, 4)}}
    model.save(update_fields=["metrics"])
    store.note(model, message)
    return Outcome(model.target, status, message, model, evaluation, compared)


def compare(current: ClassifierModel, trained: Trained) -> dict[str, Any]:
    """The active model's figures on the new model's held-out examples."""
    from okno.routing.classifier.services import training

    try:
        pipeline = store.load_pipeline(current)
    except store.ModelUnreadable:
        return {"unreadable": True}
    evaluation = training.score(pipeline, trained.test, trained.classes)
    return {"macro_f1": evaluation.macro_f1, "accuracy": evaluation.accuracy}


# --- the weekly job -------------------------------------------------------------------


def targets_to_retrain() -> list[str]:
    """The category always; other targets once somebody has trained a model for them."""
    used = set(ClassifierModel.objects.values_list("target", flat=True).distinct())
    return [t for t in Target.values if t == Target.CATEGORY or t in used]


def _watermark(target: str) -> tuple[ClassifierModel | None, datetime | None]:
    latest = (
        ClassifierModel.objects.filter(target=target, source=SOURCE_APPEALS).defer("blob").order_by("-version").first()
    )
    if latest is None:
        return None, None
    stamp = (latest.metrics or {}).get("closed_until")
    return latest, parse_datetime(stamp) if stamp else None


def retrain(
    actor: User | None = None, *, target: str | None = None, force: bool = False, features: str | None = None
) -> list[Outcome]:
    """The periodic retraining (``force``: "Train now", whatever was closed since)."""
    store.require_admin(actor)
    outcomes = []
    for name in [choice_of(target, Target, "target")] if target else targets_to_retrain():
        outcomes.append(_retrain_one(actor, name, force=force, features=features))
    return outcomes


def _retrain_one(actor: User | None, target: str, *, force: bool, features: str | None) -> Outcome:
    from okno.routing.classifier.services import data, training
    from okno.routing.classifier.services.training import TrainingError

    minimum = min_examples()
    _latest, since = _watermark(target)
    if not force:
        new = data.closed_appeals(target, since=since).count()
        if new < minimum:
            message = _("Not retrained: %(new)s appeals closed since the last model, %(needed)s needed.") % {
                "new": new,
                "needed": minimum,
            }
            return Outcome(target, "skipped", message)
    current = store.active(target)
    chosen = features or (current.features if current is not None and current.features in FEATURES else None)
    found = data.appeals_dataset(target)
    enough = len(found.dataset) >= minimum
    try:
        trained = training.train(found.dataset, features=check_features(chosen))
    except TrainingError as exc:
        return Outcome(target, "skipped", _("Not retrained: %(reason)s.") % {"reason": exc})
    model = store.save(
        actor,
        target,
        trained,
        source=SOURCE_APPEALS,
        labels=_labels(trained, found.dataset.names),
        extra_metrics={"closed_until": found.closed_until.isoformat() if found.closed_until else None},
    )
    if not enough:
        message = _(
            "Kept inactive: trained on %(n)s closed appeals, fewer than the %(needed)s needed to switch models "
            "automatically. Activate it by hand if its figures are good enough."
        ) % {"n": len(found.dataset), "needed": minimum}
        store.note(model, message)
        return Outcome(target, "kept", message, model, trained.evaluation)
    outcome = _decide(actor, model, trained, None)
    log.info("Classifier %s retrained: v%s %s", target, model.version, outcome.status)
    return outcome


# --- "Train now" ----------------------------------------------------------------------


def pending_training() -> Any:
    """The queued or running training task record, if any."""
    from django.tasks import TaskResultStatus

    from okno.background.models import TaskRecord
    from okno.routing.classifier.tasks import TASK_PATH

    return (
        TaskRecord.objects.filter(task_path=TASK_PATH, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
        .order_by("-enqueued_at")
        .first()
    )


def last_training() -> Any:
    """The newest training task record (queued, running or finished), if any."""
    from okno.background.models import TaskRecord
    from okno.routing.classifier.tasks import TASK_PATH

    return TaskRecord.objects.filter(task_path=TASK_PATH).order_by("-enqueued_at").first()


def enqueue_training(actor: User, target: str = Target.CATEGORY, features: str | None = None) -> str:
    """Queue "Train now" for ``target``: the weekly job's training, whatever was
    closed since the last model; returns the task id. One at a time."""
    if actor is None:
        raise InvalidInput("an administrator starts a training")
    store.require_admin(actor)
    target = choice_of(target, Target, "target")
    chosen = check_features(features) if features else ""
    from okno.routing.classifier.tasks import retrain_classifiers

    with transaction.atomic():
        if pending_training() is not None:
            raise Conflict(_("A training is already queued or running; wait for it to finish."))
        result = retrain_classifiers.enqueue(target=target, force=True, user_id=actor.pk, features=chosen)
    log.info("Classifier training of %s queued by user %s (task %s)", target, actor.pk, result.id)
    return str(result.id)
