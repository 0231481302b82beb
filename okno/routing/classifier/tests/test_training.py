"""Training and measuring on real complaints (a slice of the CFPB set), and the
held-out split every figure comes from."""

from __future__ import annotations

import re

import pytest

from okno.routing.classifier.services import training
from okno.routing.classifier.services.training import Dataset, TrainingError

from .conftest import sample


def _dataset(n: int, start: int = 1) -> Dataset:
    labels = ["a" if i % 10 < 6 else "b" if i % 10 < 9 else "c" for i in range(start, start + n)]
    return Dataset([f"text {i}" for i in range(start, start + n)], labels, keys=list(range(start, start + n)))


def test_the_split_is_stratified_and_keeps_every_class_on_both_sides():
    data = _dataset(1000)
    train, test = training.split(data, 0.2)
    assert sorted(train + test) == list(range(1000)) and not set(train) & set(test)
    held = {label: sum(1 for i in test if data.labels[i] == label) for label in "abc"}
    assert held == {"a": 120, "b": 60, "c": 20}
    tiny = Dataset(["x", "y", "z", "w"], ["a", "a", "b", "b"], keys=[1, 2, 3, 4])
    train, test = training.split(tiny, 0.2)
    assert sorted(tiny.labels[i] for i in test) == ["a", "b"]
    assert sorted(tiny.labels[i] for i in train) == ["a", "b"]


def test_examples_held_out_stay_held_out_as_examples_are_added():
    """Last week's model has (almost) never seen the examples this week's is measured on."""
    before = _dataset(1000)
    after = _dataset(1500)  # the same 1,000 and 500 newer ones
    held_before = {before.keys[i] for i in training.split(before)[1]}
    held_after = {after.keys[i] for i in training.split(after)[1]}
    trained_before = set(before.keys) - held_before
    leaked = held_after & trained_before
    assert len(leaked) <= 0.03 * len(held_after), len(leaked)


def test_the_split_does_not_depend_on_how_labels_are_named():
    data = _dataset(300)
    renamed = Dataset(data.texts, [{"a": "9", "b": "1", "c": "5"}[x] for x in data.labels], keys=data.keys)
    assert training.split(data) == training.split(renamed)


def test_a_model_trained_on_417_complaints_is_measured_on_the_held_out_ones():
    rows = sample()
    data = Dataset([text for _label, text in rows], [label for label, _text in rows])
    stages: list[str] = []
    trained = training.train(data, features="chars", progress=stages.append)
    evaluation = trained.evaluation
    assert stages == ["featurising", "fitting", "evaluating"]
    assert evaluation.examples == 417 and evaluation.trained + evaluation.tested == 417
    assert 70 <= evaluation.tested <= 100
    assert evaluation.accuracy > 0.75 and evaluation.macro_f1 > 0.5
    names = {c.name for c in evaluation.classes}
    assert {"Credit reporting, repair, or other", "Debt collection", "Mortgage"} <= names
    # The worst classes come first in the confusion table; each row sums to its support.
    assert evaluation.confusion_labels[0] == min(evaluation.classes, key=lambda c: (c.f1, -c.support)).label
    supports = {c.label: c.support for c in evaluation.classes}
    for label, row in zip(evaluation.confusion_labels, evaluation.confusion, strict=True):
        assert sum(row) == supports[label]
    assert re.fullmatch(
        r"classifier evaluate n=417 test=\d+ accuracy=0\.\d\d macro_f1=0\.\d\d train_s=\d+\.\d features=chars",
        evaluation.figure_line(),
    )
    prediction = trained.pipeline.predict(["The debt collector calls me every day about a debt I do not owe."])
    assert list(prediction) == ["Debt collection"]
    stored = evaluation.metrics_json()
    assert {c["label"] for c in stored["classes"]} == names
    assert stored["confusion"]["labels"] == evaluation.confusion_labels


def test_classes_with_too_few_examples_are_left_out_and_named():
    rows = sample(step=10)
    texts = [text for _label, text in rows] + ["A rare complaint.", "Another rare one."]
    labels = [label for label, _text in rows] + ["rare", "rare"]
    data = Dataset(texts, labels, names={"rare": "Rare topic"})
    trained = training.train(data, features="lemmas")
    assert trained.evaluation.dropped == {"Rare topic": 2}
    assert "rare" not in trained.classes


def test_one_class_or_too_few_examples_cannot_train():
    with pytest.raises(TrainingError, match="at least 2 classes"):
        training.train(Dataset(["a b", "c d", "e f", "g h"] * 3, ["x"] * 12))
    with pytest.raises(TrainingError, match="not enough examples: 12"):
        training.train(Dataset(["a b", "c d"] * 6, ["x", "y"] * 6), min_examples=200)


def test_cross_validation_gives_a_figure_per_fold():
    rows = sample(step=10)
    data = Dataset([text for _label, text in rows], [label for label, _text in rows])
    trained = training.train(data, features="chars", cv=3)
    assert len(trained.evaluation.cv_macro_f1) == 3
    assert all(0 < f <= 1 for f in trained.evaluation.cv_macro_f1)
    assert " cv3_macro_f1=0." in trained.evaluation.figure_line()
