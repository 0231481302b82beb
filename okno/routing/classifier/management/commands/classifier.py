"""``manage.py classifier``: train, evaluate, list, activate and roll back the models
that suggest an appeal's category (or queue, kind, product).

    classifier train [--target category] [--csv FILE --text-column X --label-column Y
                     [--create-missing]] [--features chars|lemmas|both] [--test-size 0.2]
                     [--activate | --no-activate] [--min-examples N]
    classifier evaluate [--csv FILE --text-column X --label-column Y | --model VERSION|active]
                        [--target …] [--features …] [--test-size …] [--cv 5]
    classifier list [--target …]
    classifier activate VERSION [--target …]
    classifier rollback [--target …]

Without ``--csv`` the examples are the organisation's closed appeals. The progress bar
goes to stderr; the last line of ``train`` and ``evaluate`` is the figure line:
``classifier evaluate n=… test=… accuracy=… macro_f1=… train_s=… features=…``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from okno.core.errors import OknoError
from okno.routing.classifier.models import Target
from okno.routing.classifier.services import data, learning, store, training
from okno.routing.classifier.services.features import FEATURES
from okno.routing.classifier.services.training import STAGES, Evaluation, TrainingError


def _share(value: str) -> float:
    number = float(value)
    if not 0 < number < 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return number


class Command(BaseCommand):
    help = "Classifier: train, evaluate, list, activate VERSION, rollback."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        def common(p: Any) -> None:
            p.add_argument("--target", choices=Target.values, default=Target.CATEGORY)

        def source(p: Any) -> None:
            p.add_argument("--csv", help="Train on a CSV export instead of the closed appeals.")
            p.add_argument("--text-column", help="The CSV column with the text.")
            p.add_argument("--label-column", help="The CSV column with the label.")
            p.add_argument("--features", choices=FEATURES, help="What the model reads (default: chars).")
            p.add_argument("--test-size", type=_share, default=training.DEFAULT_TEST_SIZE, help="Held-out share.")

        train = sub.add_parser("train", help="Train a new model version and store it.")
        common(train)
        source(train)
        train.add_argument(
            "--create-missing", action="store_true", help="Create the rows CSV labels name that do not exist."
        )
        train.add_argument(
            "--activate",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Activate the new model (default: only if no worse than the active one on the held-out split).",
        )
        train.add_argument("--min-examples", type=int, help="Refuse to train on fewer examples (default: settings).")

        evaluate = sub.add_parser("evaluate", help="Print the figures of a model on a held-out split.")
        common(evaluate)
        source(evaluate)
        evaluate.add_argument("--model", help="A stored version (or 'active') measured on the held-out appeals.")
        evaluate.add_argument("--cv", type=int, default=0, help="Also cross-validate with this many folds.")

        listing = sub.add_parser("list", help="The stored versions.")
        listing.add_argument("--target", choices=Target.values)

        activate = sub.add_parser("activate", help="Make a version the active model.")
        common(activate)
        activate.add_argument("version", type=int)

        rollback = sub.add_parser("rollback", help="Activate the version that was active before.")
        common(rollback)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, f"_{action}")(options)
        except (OknoError, TrainingError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from None

    # --- progress -------------------------------------------------------------------

    def _progress(self, options: dict[str, Any]) -> tuple[Callable[[str], None], Callable[[], None]]:
        """A bar over the four stages (loading, featurising, fitting, evaluating)."""
        out = getattr(self.stderr, "_out", sys.stderr)
        bar = tqdm(
            total=len(STAGES),
            file=out,
            disable=options["verbosity"] < 1,
            bar_format="{desc:<12} {bar} {n}/{total} {elapsed}",
        )
        seen: list[str] = []

        def step(stage: str) -> None:
            if seen:
                bar.update(1)
            seen.append(stage)
            bar.set_description_str(stage)

        def close() -> None:
            if seen:
                bar.update(len(STAGES) - bar.n)
            bar.close()

        return step, close

    def _csv_options(self, options: dict[str, Any]) -> tuple[str, str] | None:
        if not options.get("csv"):
            if options.get("text_column") or options.get("label_column"):
                raise CommandError("--text-column and --label-column go with --csv.")
            return None
        if not options.get("text_column") or not options.get("label_column"):
            raise CommandError("--csv needs --text-column and --label-column.")
        return options["text_column"], options["label_column"]

    # --- train ----------------------------------------------------------------------

    def _train(self, options: dict[str, Any]) -> None:
        columns = self._csv_options(options)
        step, close = self._progress(options)
        common = {
            "features": options.get("features"),
            "test_size": options["test_size"],
            "minimum": options.get("min_examples"),
            "activate": options.get("activate"),
            "progress": step,
        }
        try:
            if columns is not None:
                outcome = learning.train_from_csv(
                    None,
                    options["target"],
                    options["csv"],
                    text_column=columns[0],
                    label_column=columns[1],
                    create_missing=options["create_missing"],
                    **common,
                )
            else:
                outcome = learning.train_from_appeals(None, options["target"], **common)
        finally:
            close()
        assert outcome.model is not None and outcome.evaluation is not None
        self._print(outcome.evaluation)
        self.stdout.write(f"stored {outcome.model} ({outcome.status}): {outcome.message}")
        self.stdout.write(outcome.evaluation.figure_line("train"))

    # --- evaluate -------------------------------------------------------------------

    def _evaluate(self, options: dict[str, Any]) -> None:
        columns = self._csv_options(options)
        if columns is not None and options.get("model"):
            raise CommandError("Give --csv or --model, not both.")
        if options.get("model"):
            evaluation = self._evaluate_stored(options)
        else:
            step, close = self._progress(options)
            try:
                step("loading")
                if columns is not None:
                    rows = data.read_csv(options["csv"], *columns)
                    dataset = data.csv_dataset(rows, options["csv"])
                else:
                    dataset = data.appeals_dataset(options["target"]).dataset
                trained = training.train(
                    dataset,
                    features=learning.check_features(options.get("features")),
                    test_size=options["test_size"],
                    cv=options["cv"],
                    progress=step,
                )
            finally:
                close()
            evaluation = trained.evaluation
        self._print(evaluation)
        self.stdout.write(evaluation.figure_line("evaluate"))

    def _evaluate_stored(self, options: dict[str, Any]) -> Evaluation:
        target = options["target"]
        wanted = options["model"]
        if wanted == "active":
            model = store.active(target)
            if model is None:
                raise CommandError(f"No {target} model is active.")
        else:
            try:
                model = store.by_version(target, int(wanted))
            except ValueError:
                raise CommandError("--model takes a version number or 'active'.") from None
        pipeline = store.load_pipeline(model)
        dataset, _dropped = training.usable(data.appeals_dataset(target).dataset)
        if not len(dataset):
            raise CommandError("There are no closed appeals to measure the model on.")
        _train_idx, test_idx = training.split(dataset, options["test_size"])
        evaluation = training.score(
            pipeline,
            dataset.subset(test_idx),
            [str(c) for c in pipeline.classes_],
            examples=len(dataset),
            names=dataset.names,
        )
        evaluation.features = model.features
        evaluation.train_seconds = model.train_seconds
        return evaluation

    def _print(self, evaluation: Evaluation) -> None:
        self.stdout.write(
            f"accuracy {evaluation.accuracy:.3f}  macro-F1 {evaluation.macro_f1:.3f}  "
            f"(examples {evaluation.examples}, held out {evaluation.tested}, features {evaluation.features}, "
            f"training {evaluation.train_seconds:.1f} s)"
        )
        if evaluation.cv_macro_f1:
            folds = ", ".join(f"{v:.3f}" for v in evaluation.cv_macro_f1)
            self.stdout.write(f"cross-validated macro-F1 per fold: {folds}")
        if evaluation.dropped:
            left = ", ".join(f"{label} ({n})" for label, n in sorted(evaluation.dropped.items()))
            self.stdout.write(f"left out, too few examples: {left}")
        width = max([len(c.name) for c in evaluation.classes] + [5])
        self.stdout.write(f"{'class':<{width}}  precision  recall     f1  support")
        for c in sorted(evaluation.classes, key=lambda c: -c.support):
            self.stdout.write(f"{c.name:<{width}}  {c.precision:9.3f}  {c.recall:6.3f}  {c.f1:5.3f}  {c.support:7d}")
        worst = evaluation.worst()
        if worst:
            self.stdout.write("confusion among the worst classes (rows: true class, columns: predicted)")
            heads = [f"[{i + 1}]" for i in range(len(worst))] + ["other"]
            self.stdout.write(f"{'':<{width + 5}}" + "".join(f"{h:>7}" for h in heads))
            for i, (c, row) in enumerate(zip(worst, evaluation.confusion, strict=True)):
                self.stdout.write(f"[{i + 1}] {c.name:<{width}} " + "".join(f"{n:>7}" for n in row))

    # --- versions -------------------------------------------------------------------

    def _list(self, options: dict[str, Any]) -> None:
        models = list(store.versions(options.get("target")))
        if not models:
            self.stdout.write("No models yet: manage.py classifier train")
            return
        self.stdout.write(
            "target    version  active  trained           source                 features  examples  accuracy  macro-F1"
        )
        for m in models:
            self.stdout.write(
                f"{m.target:<9} {m.version:>7}  {'*' if m.is_active else '':^6}  "
                f"{timezone.localtime(m.created_at):%Y-%m-%d %H:%M}  {m.source[:22]:<22} {m.features:<9} "
                f"{m.trained_on + m.tested_on:>8}  {_figure(m.accuracy):>8}  {_figure(m.macro_f1):>8}"
            )

    def _activate(self, options: dict[str, Any]) -> None:
        model = store.activate(None, store.by_version(options["target"], options["version"]))
        self.stdout.write(f"active: {model}")

    def _rollback(self, options: dict[str, Any]) -> None:
        model = store.rollback(None, options["target"])
        self.stdout.write(f"active: {model}")


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
