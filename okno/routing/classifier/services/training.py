"""Training and evaluating a text classifier: texts and labels in, a fitted
scikit-learn pipeline and its figures on a held-out split out (no database).

The pipeline is TF-IDF features (``features.py``) and a logistic regression with
balanced class weights (complaint data is skewed: a rare class must not vanish in
the average). Logistic regression gives probabilities of its own, so a suggestion's
confidence needs no extra calibration; a calibrated linear SVM scored lower on the
rare class (bench/README.md, "Classifier"). Everything is deterministic
(``RANDOM_STATE``) and runs on one CPU core.

The model that is kept is the one fitted on the training part only: the figures
shown for a model are those of the very model in use, and a retrained model can be
compared with the active one on examples neither has seen.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from okno.routing.classifier.services.features import DEFAULT_FEATURES, vectorizer

RANDOM_STATE = 20261124
# A class needs examples on both sides of the split to be learnt and measured.
MIN_PER_CLASS = 3
# How many of the worst classes the confusion table shows.
WORST = 5
DEFAULT_TEST_SIZE = 0.2
# Stages a progress bar shows, in order.
STAGES = ("loading", "featurising", "fitting", "evaluating")

Progress = Callable[[str], None]


class TrainingError(Exception):
    """The data cannot train a model (too few examples or classes); the message says why."""


@dataclass
class Dataset:
    """Labelled texts. ``labels`` are classes (a row's pk as text, or a CSV's label);
    ``names`` says how each reads; ``keys`` are stable ids of the examples (appeal ids;
    by default the row numbers 1, 2, …) that decide the held-out split (:func:`split`)."""

    texts: list[str]
    labels: list[str]
    names: dict[str, str] = field(default_factory=dict)
    keys: list[int] = field(default_factory=list)
    source: str = ""

    def __post_init__(self) -> None:
        if not self.keys:
            self.keys = list(range(1, len(self.texts) + 1))

    def __len__(self) -> int:
        return len(self.texts)

    def name(self, label: str) -> str:
        return self.names.get(label, label)

    def subset(self, indices: Sequence[int]) -> Dataset:
        return Dataset(
            [self.texts[i] for i in indices],
            [self.labels[i] for i in indices],
            self.names,
            [self.keys[i] for i in indices],
            self.source,
        )


@dataclass
class ClassScore:
    label: str
    name: str
    precision: float
    recall: float
    f1: float
    support: int

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "name": self.name,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "support": self.support,
        }


@dataclass
class Evaluation:
    """How a model did on the held-out split."""

    examples: int  # all usable examples (training + held-out)
    tested: int
    accuracy: float
    macro_f1: float
    classes: list[ClassScore]
    # Rows: true class among the worst; columns: predicted, the same classes then "other".
    confusion_labels: list[str]
    confusion: list[list[int]]
    features: str = ""
    train_seconds: float = 0.0
    trained: int = 0
    dropped: dict[str, int] = field(default_factory=dict)  # classes with too few examples
    cv_macro_f1: list[float] = field(default_factory=list)

    def worst(self) -> list[ClassScore]:
        by_label = {c.label: c for c in self.classes}
        return [by_label[label] for label in self.confusion_labels if label in by_label]

    def figure_line(self, command: str = "evaluate") -> str:
        line = (
            f"classifier {command} n={self.examples} test={self.tested} accuracy={self.accuracy:.2f} "
            f"macro_f1={self.macro_f1:.2f} train_s={self.train_seconds:.1f} features={self.features}"
        )
        if self.cv_macro_f1:
            folds = np.asarray(self.cv_macro_f1)
            line += f" cv{len(folds)}_macro_f1={folds.mean():.3f}±{folds.std():.3f}"
        return line

    def metrics_json(self) -> dict[str, Any]:
        """What a stored model keeps in ``ClassifierModel.metrics``."""
        data: dict[str, Any] = {
            "classes": [c.as_json() for c in self.classes],
            "confusion": {"labels": self.confusion_labels, "matrix": self.confusion},
        }
        if self.dropped:
            data["dropped"] = self.dropped
        if self.cv_macro_f1:
            data["cv_macro_f1"] = [round(v, 4) for v in self.cv_macro_f1]
        return data


@dataclass
class Trained:
    pipeline: Pipeline
    evaluation: Evaluation
    classes: list[str]  # in the pipeline's column order
    test: Dataset  # the held-out split, to compare another model on


def _nothing(stage: str) -> None:
    return None


def usable(dataset: Dataset, min_per_class: int = MIN_PER_CLASS) -> tuple[Dataset, dict[str, int]]:
    """The examples of classes with enough of them, and the classes left out (with
    their counts). Empty texts are left out too."""
    counts = Counter(label for text, label in zip(dataset.texts, dataset.labels, strict=True) if text.strip())
    dropped = {label: n for label, n in counts.items() if n < min_per_class}
    keep = [i for i, (text, label) in enumerate(zip(dataset.texts, dataset.labels, strict=True)) if text.strip()]
    keep = [i for i in keep if dataset.labels[i] not in dropped]
    return dataset.subset(keep), dropped


def _stable_fraction(key: int) -> float:
    digest = hashlib.blake2b(f"okno-classifier-split:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def split(dataset: Dataset, test_size: float = DEFAULT_TEST_SIZE) -> tuple[list[int], list[int]]:
    """Training and held-out indices, stratified by class.

    Each class holds out ``test_size`` of its examples (rounded; at least one, never
    all): those whose key (appeal id, CSV row number) hashes lowest. So the split does
    not depend on how labels are named or ordered (a CSV evaluated by its labels and
    trained as categories splits alike), and as appeals are added the held-out ones
    stay held out but for a few at the margin: a model trained last week has (almost)
    never seen the examples a new model is measured on, and the two are compared on
    them.
    """
    if not 0 < test_size < 1:
        raise TrainingError(_("the held-out share must be between 0 and 1"))
    keys = dataset.keys
    by_class: dict[str, list[int]] = {}
    for i, label in enumerate(dataset.labels):
        by_class.setdefault(label, []).append(i)
    train, test = [], []
    for members in by_class.values():
        members.sort(key=lambda i: _stable_fraction(keys[i]))
        count = min(max(round(test_size * len(members)), 1), len(members) - 1)
        test.extend(members[:count])
        train.extend(members[count:])
    return sorted(train), sorted(test)


def make_classifier() -> LogisticRegression:
    return LogisticRegression(C=10.0, class_weight="balanced", max_iter=3000, random_state=RANDOM_STATE)


def fit(texts: Sequence[str], labels: Sequence[str], features: str, progress: Progress = _nothing) -> Pipeline:
    """A fitted pipeline (features, then the classifier) predicting ``labels``."""
    if len(set(labels)) < 2:
        raise TrainingError(_("at least two classes are needed"))
    progress("featurising")
    features_step = vectorizer(features, examples=len(texts))
    matrix = features_step.fit_transform(list(texts))
    _drop_introspection(features_step)
    progress("fitting")
    classifier = make_classifier()
    # One thread: on a shared machine BLAS threads fighting over the cores made the
    # fit several times slower, not faster (1.4 s against 9 s on the CFPB set).
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        # Hitting max_iter on a hard set still gives a usable model; say nothing.
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier.fit(matrix, list(labels))
    return Pipeline([("features", features_step), ("classifier", classifier)])


def _drop_introspection(step: Any) -> None:
    """TF-IDF keeps every term it pruned (``stop_words_``) for introspection only;
    it would be most of a pickled model's size."""
    for vectorizer_ in [step, *(s for _name, s in getattr(step, "transformer_list", []))]:
        if hasattr(vectorizer_, "stop_words_"):
            vectorizer_.stop_words_ = None


def score(
    pipeline: Any, test: Dataset, classes: Sequence[str], *, examples: int = 0, names: dict[str, str] | None = None
) -> Evaluation:
    """Accuracy, macro-F1 (over the classes present in ``test``), per-class scores
    and the confusion among the worst classes of ``pipeline`` on ``test``."""
    if not len(test):
        raise TrainingError(_("nothing to evaluate on"))
    predicted = [str(p) for p in pipeline.predict(test.texts)]
    return evaluate_predictions(test.labels, predicted, classes, examples=examples or len(test), names=names)


def evaluate_predictions(
    truth: Sequence[str],
    predicted: Sequence[str],
    classes: Sequence[str],
    *,
    examples: int,
    names: dict[str, str] | None = None,
) -> Evaluation:
    names = names or {}
    present = sorted(set(truth), key=lambda label: names.get(label, label))
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=present, zero_division=0)
    scores = [
        ClassScore(label, names.get(label, label), float(p), float(r), float(f), int(s))
        for label, p, r, f, s in zip(present, precision, recall, f1, support, strict=True)
    ]
    worst = [c.label for c in sorted(scores, key=lambda c: (c.f1, -c.support))[:WORST]]
    other = "\x00other"
    folded_pred = [p if p in worst else other for p in predicted]
    rows = [i for i, t in enumerate(truth) if t in worst]
    matrix = confusion_matrix([truth[i] for i in rows], [folded_pred[i] for i in rows], labels=[*worst, other]).tolist()
    return Evaluation(
        examples=examples,
        tested=len(truth),
        accuracy=float(accuracy_score(truth, predicted)),
        macro_f1=float(np.mean(f1)) if len(f1) else 0.0,
        classes=scores,
        confusion_labels=worst,
        confusion=[row for row in matrix[: len(worst)]],
    )


def train(
    dataset: Dataset,
    *,
    features: str = DEFAULT_FEATURES,
    test_size: float = DEFAULT_TEST_SIZE,
    min_examples: int = 0,
    cv: int = 0,
    progress: Progress = _nothing,
) -> Trained:
    """Fit on the training part of ``dataset``, measure on the held-out part.

    Classes with fewer than ``MIN_PER_CLASS`` examples are left out (the evaluation
    lists them); fewer than ``min_examples`` usable examples, or fewer than two
    classes, is a :class:`TrainingError`. ``cv`` > 1 also cross-validates (stratified
    folds over all usable examples) for comparing feature sets.
    """
    data, dropped = usable(dataset)
    if len(data) < max(min_examples, 2 * MIN_PER_CLASS) or len(set(data.labels)) < 2:
        raise TrainingError(
            _(
                "not enough examples: %(n)s usable in %(classes)s classes (needed: %(needed)s in at least "
                "2 classes, %(per_class)s or more per class)"
            )
            % {
                "n": len(data),
                "classes": len(set(data.labels)),
                "needed": max(min_examples, 2 * MIN_PER_CLASS),
                "per_class": MIN_PER_CLASS,
            }
        )
    train_idx, test_idx = split(data, test_size)
    training, test = data.subset(train_idx), data.subset(test_idx)
    started = time.perf_counter()
    pipeline = fit(training.texts, training.labels, features, progress)
    seconds = time.perf_counter() - started
    progress("evaluating")
    classes = [str(c) for c in pipeline.classes_]
    evaluation = score(pipeline, test, classes, examples=len(data), names=data.names)
    evaluation.features = features
    evaluation.train_seconds = seconds
    evaluation.trained = len(training)
    evaluation.dropped = {dataset.name(label): n for label, n in dropped.items()}
    if cv > 1:
        evaluation.cv_macro_f1 = cross_validate(data, features=features, folds=cv)
    return Trained(pipeline, evaluation, classes, test)


def cross_validate(data: Dataset, *, features: str, folds: int = 5) -> list[float]:
    """Macro-F1 of each of ``folds`` stratified folds (fixed seed)."""
    smallest = min(Counter(data.labels).values())
    folds = min(folds, smallest)
    if folds < 2:
        raise TrainingError(_("too few examples per class to cross-validate"))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=RANDOM_STATE)
    results = []
    for train_idx, test_idx in splitter.split(np.zeros(len(data)), data.labels):
        training, test = data.subset(list(train_idx)), data.subset(list(test_idx))
        pipeline = fit(training.texts, training.labels, features)
        results.append(score(pipeline, test, [str(c) for c in pipeline.classes_]).macro_f1)
    return results
