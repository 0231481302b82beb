"""Classifier benchmark: which features and which linear model learn the CFPB
complaints best, how long training takes, and how fast suggestions are.

    .venv/bin/python bench/classifier.py            # the comparison, then the speed
    .venv/bin/python bench/classifier.py --no-cv    # held-out split only (quicker)

Data: ../shared/data/complaints/cfpb_4class_product_narratives.csv (2,085 real
complaints, 4 skewed classes; OKNO_COMPLAINTS_CSV moves it).

1. For character n-grams (chars), word lemmas (lemmas) and both, each with the
   logistic regression Okno uses (``training.make_classifier``: balanced class
   weights, its own probabilities) and with a linear SVM calibrated by 3-fold
   sigmoid (``CalibratedClassifierCV``), on one core: macro-F1 and accuracy on the
   held-out split the product uses (``training.split``, 20 %), the training time
   (features + fit), and 5-fold stratified cross-validation (fixed seed).
2. In Django, on its own SQLite database (/tmp/okno-bench/classifier.sqlite3 unless
   DATABASE_URL is set): the default model trained from the CSV and activated as
   ``manage.py classifier train --csv … --create-missing`` does, then
   ``predict.suggest_many`` on 200 complaints in one call (five times) and on 200
   complaints one at a time.

The last line is the figure:
``classifier features=… macro_f1=… accuracy=… train_s=… suggest_batch_ms=… suggest_single_ms=…``.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
from pathlib import Path
from typing import Any

from benchlib import ROOT, machine, setup_django

CSV = Path(
    os.environ.get(
        "OKNO_COMPLAINTS_CSV", ROOT.parent / "shared" / "data" / "complaints" / "cfpb_4class_product_narratives.csv"
    )
)
TEXT, LABEL = "Consumer complaint narrative", "Product"


def rows() -> tuple[list[str], list[str]]:
    with CSV.open(encoding="utf-8", newline="") as handle:
        data = [(row[TEXT], row[LABEL]) for row in csv.DictReader(handle)]
    return [text for text, _label in data], [label for _text, label in data]


def classifiers() -> dict[str, Any]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import LinearSVC

    from okno.routing.classifier.services import training

    return {
        "logreg": training.make_classifier,
        "svm+calibration": lambda: CalibratedClassifierCV(
            LinearSVC(C=0.5, class_weight="balanced", random_state=training.RANDOM_STATE), cv=3
        ),
    }


def fit_score(features: str, make: Any, train: Any, test: Any) -> tuple[Any, float]:
    """The evaluation and the training seconds of one model on one split."""
    from sklearn.pipeline import Pipeline

    from okno.routing.classifier.services import training
    from okno.routing.classifier.services.features import vectorizer

    started = time.perf_counter()
    step = vectorizer(features, examples=len(train))
    matrix = step.fit_transform(train.texts)
    model = make()
    model.fit(matrix, train.labels)
    seconds = time.perf_counter() - started
    pipeline = Pipeline([("features", step), ("classifier", model)])
    return training.score(pipeline, test, [str(c) for c in model.classes_]), seconds


def compare(folds: int) -> list[dict[str, Any]]:
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    from okno.routing.classifier.services import training
    from okno.routing.classifier.services.features import FEATURES
    from okno.routing.classifier.services.training import Dataset

    texts, labels = rows()
    data = Dataset(texts, labels)
    train_idx, test_idx = training.split(data)
    train, test = data.subset(train_idx), data.subset(test_idx)
    counts = _count(labels)
    rare = min(counts, key=counts.__getitem__)
    print(f"{len(data)} complaints; held out {len(test)} (per class: {dict(sorted(_count(test.labels).items()))})")
    print(
        f"| features | model | held-out macro-F1 | held-out accuracy | training s | 5-fold macro-F1 "
        f"| 5-fold F1 of {rare} ({counts[rare]}) | 5-fold macro-F1 of the other classes |"
    )
    print("|---|---|---|---|---|---|---|---|")
    results = []
    for features in FEATURES:
        for name, make in classifiers().items():
            evaluation, seconds = fit_score(features, make, train, test)
            cv: list[float] = []
            cv_rare: list[float] = []
            cv_rest: list[float] = []
            if folds > 1:
                splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=training.RANDOM_STATE)
                for fold_train, fold_test in splitter.split(np.zeros(len(data)), data.labels):
                    fold, _seconds = fit_score(features, make, data.subset(fold_train), data.subset(fold_test))
                    cv.append(fold.macro_f1)
                    cv_rare.extend(c.f1 for c in fold.classes if c.label == rare)
                    cv_rest.append(statistics.mean(c.f1 for c in fold.classes if c.label != rare))
            result = {
                "features": features,
                "model": name,
                "f1": evaluation.macro_f1,
                "accuracy": evaluation.accuracy,
                "seconds": seconds,
                "cv": cv,
                "cv_rare": cv_rare,
                "cv_rest": cv_rest,
            }
            results.append(result)
            print(_row(result), flush=True)
    return results


def _count(labels: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return counts


def _spread(values: list[float]) -> str:
    return f"{statistics.mean(values):.3f} ± {statistics.pstdev(values):.3f}" if values else "—"


def _row(result: dict[str, Any]) -> str:
    return (
        f"| {result['features']:<6} | {result['model']:<15} | {result['f1']:.3f} | {result['accuracy']:.3f} "
        f"| {result['seconds']:.1f} | {_spread(result['cv'])} | {_spread(result['cv_rare'])} "
        f"| {_spread(result['cv_rest'])} |"
    )


def speed() -> tuple[Any, float, float, float]:
    """Train the default model into the bench database, then time suggestions."""
    from django.core.management import call_command
    from django.db import connection

    from okno.routing.classifier.services import learning, predict

    call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM classifier_classifiermodel")
    outcome = learning.train_from_csv(
        None, "category", CSV, text_column=TEXT, label_column=LABEL, create_missing=True, activate=True
    )
    texts, _labels = rows()
    sample = texts[::10][:200]
    predict.reset()
    started = time.perf_counter()
    predict.suggest_many(sample[:1])
    load_ms = (time.perf_counter() - started) * 1000
    batches = []
    for _ in range(5):
        started = time.perf_counter()
        predict.suggest_many(sample)
        batches.append((time.perf_counter() - started) * 1000 / len(sample))
    singles = []
    for text in sample:
        started = time.perf_counter()
        predict.suggest_many([text])
        singles.append((time.perf_counter() - started) * 1000)
    singles.sort()
    print(
        f"suggest_many: first call (loads the model) {load_ms:.0f} ms; 200 texts in one call "
        f"{statistics.median(batches):.2f} ms per text (median of 5); one at a time mean "
        f"{statistics.mean(singles):.2f} ms, p95 {singles[int(0.95 * (len(singles) - 1))]:.2f} ms"
    )
    return outcome, statistics.median(batches), statistics.mean(singles), load_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-cv", action="store_true", help="Skip the 5-fold cross-validation.")
    args = parser.parse_args()
    setup_django("classifier.sqlite3")
    from threadpoolctl import threadpool_limits

    print(machine())
    with threadpool_limits(limits=1):
        compare(0 if args.no_cv else 5)
        outcome, batch_ms, single_ms, _load_ms = speed()
    evaluation = outcome.evaluation
    print(
        f"classifier features={evaluation.features} macro_f1={evaluation.macro_f1:.3f} "
        f"accuracy={evaluation.accuracy:.3f} train_s={evaluation.train_seconds:.1f} "
        f"suggest_batch_ms={batch_ms:.2f} suggest_single_ms={single_ms:.2f}"
    )


if __name__ == "__main__":
    main()
