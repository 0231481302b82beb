"""The classifier's suggestions for new appeals, as registration asks for them.

The active model of each target is loaded once per process and kept. Which models
are active is looked up at most every ``CHECK_SECONDS`` (one small query), so an
activation or a rollback reaches every process within that time, and the process
that made it at once (``store.activate`` calls :func:`forget` on commit). The rows a
model's classes stand for are read at the same time: a category deleted or switched
off since training is never suggested, and a renamed one is suggested by its name now.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from okno.core.models import in_language
from okno.routing.classifier.services.fastchars import CharFeatures

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

CHECK_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Suggestion:
    target: str  # "category" | "queue" | "kind" | "product"
    value: int  # pk of the Category / Queue / Kind / Product
    label: str  # display name now
    confidence: float  # 0..1, probability of the top class
    model: int  # ClassifierModel.version

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "label": self.label, "confidence": round(self.confidence, 4), "model": self.model}


@dataclass
class _Loaded:
    """An active model ready to predict: its pipeline and, per column of its
    probabilities, the row it stands for now (None: gone or switched off)."""

    pk: int
    target: str
    version: int
    pipeline: Any
    columns: list[tuple[int, str, str] | None]  # (pk, name, name_en)
    allowed: np.ndarray  # column indices whose row is still there
    # Character n-gram models: the features word by word (fastchars), then the rest of the pipeline.
    features: CharFeatures | None = None
    rest: Any = None
    linear: Any = None  # the rest is one LogisticRegression

    def probabilities(self, texts: list[str]) -> np.ndarray:
        if self.features is None:
            return cast("np.ndarray", self.pipeline.predict_proba(texts))
        if self.linear is None:
            return cast("np.ndarray", self.rest.predict_proba(self.features.transform(texts)))
        # LogisticRegression.predict_proba without its input checks or a sparse matrix:
        # each text's score is its few hundred weighted columns times theirs in the model.
        import numpy as np
        from scipy.special import expit, softmax

        weights = self.linear.coef_
        scores = np.array([weights[:, columns] @ values for columns, values in self.features.rows(texts)])
        scores = scores.reshape(len(texts), weights.shape[0]) + self.linear.intercept_
        if len(self.linear.classes_) <= 2:
            positive = expit(scores.ravel())
            return np.column_stack([1 - positive, positive])
        return cast("np.ndarray", softmax(scores, axis=1))


class _State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked = -float("inf")
        self.loaded: dict[str, _Loaded] = {}
        self.refused: set[int] = set()  # models whose signature did not verify


_state = _State()


def forget() -> None:
    """Look at the active models again on the next call (after an activation)."""
    with _state.lock:
        _state.checked = -float("inf")


def reset() -> None:
    """Drop the loaded models too (tests: a new database)."""
    with _state.lock:
        _state.checked = -float("inf")
        _state.loaded = {}
        _state.refused = set()


def _refresh() -> dict[str, _Loaded]:
    """The loaded active models, refreshed if the last look is older than CHECK_SECONDS."""
    now = time.monotonic()
    if now - _state.checked < CHECK_SECONDS:
        return _state.loaded
    with _state.lock:
        if now - _state.checked < CHECK_SECONDS:
            return _state.loaded
        from okno.routing.classifier.models import ClassifierModel

        active = list(ClassifierModel.objects.filter(is_active=True).values_list("target", "pk", "version", "labels"))
        loaded: dict[str, _Loaded] = {}
        for target, pk, version, labels in active:
            known = _state.loaded.get(target)
            pipeline = known.pipeline if known is not None and known.pk == pk else _load(pk)
            if pipeline is not None:
                loaded[target] = _columns(target, pk, version, pipeline, labels)
                if known is not None and known.pk == pk and known.features is not None:
                    loaded[target].features = known.features  # the same model: keep the words it learnt
        _state.loaded = loaded
        _state.checked = time.monotonic()
        return loaded


def _load(pk: int) -> Any:
    from okno.routing.classifier.models import ClassifierModel
    from okno.routing.classifier.services import store

    if pk in _state.refused:
        return None
    model = ClassifierModel.objects.filter(pk=pk).first()
    if model is None:
        return None
    try:
        return store.load_pipeline(model)
    except store.ModelUnreadable:
        _state.refused.add(pk)  # logged by load_pipeline; not tried again in this process
        return None


def _columns(target: str, pk: int, version: int, pipeline: Any, labels: list[dict[str, Any]]) -> _Loaded:
    import numpy as np

    from okno.routing.classifier.services.targets import target_model

    model = target_model(target)
    values = [int(label["value"]) for label in labels]
    rows = {
        row[0]: row
        for row in model._default_manager.filter(pk__in=values, is_active=True).values_list("pk", "name", "name_en")
    }
    # The pipeline's classes are the pks as text, in the order of ``labels``.
    order = {str(value): rows.get(value) for value in values}
    columns = [order.get(str(c)) for c in pipeline.classes_]
    allowed = np.array([i for i, column in enumerate(columns) if column is not None], dtype=int)
    loaded = _Loaded(pk, target, version, pipeline, columns, allowed)
    steps: list[tuple[str, Any]] = list(getattr(pipeline, "steps", ()))
    if len(steps) > 1 and CharFeatures.applies(steps[0][1]):
        loaded.features, loaded.rest = CharFeatures(steps[0][1]), pipeline[1:]
        from sklearn.linear_model import LogisticRegression

        if len(steps) == 2 and type(steps[1][1]) is LogisticRegression:
            loaded.linear = steps[1][1]
    return loaded


def suggest_many(texts: Sequence[str]) -> list[dict[str, Suggestion]]:
    """Per text, target → the active model's best suggestion among the rows that
    still exist; ``{}`` per text while no model is active."""
    texts = list(texts)
    loaded = _refresh()
    out: list[dict[str, Suggestion]] = [{} for _text in texts]
    if not texts or not loaded:
        return out
    import sklearn

    for target, model in loaded.items():
        if not len(model.allowed):
            continue
        # The fitted pipeline's input checks cost a third of a short text's time.
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            probabilities = model.probabilities(texts)[:, model.allowed]
        best = probabilities.argmax(axis=1)
        for i, column in enumerate(best):
            row = model.columns[int(model.allowed[column])]
            assert row is not None
            out[i][target] = Suggestion(
                target=target,
                value=row[0],
                label=in_language(row[1], row[2]),
                confidence=float(probabilities[i, column]),
                model=model.version,
            )
    return out
