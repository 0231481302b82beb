"""``manage.py classifier``: train and evaluate from a CSV export or from the closed
appeals, with the progress on stderr and the figures on stdout; list, activate,
roll back."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from okno.appeals.models import Category
from okno.routing.classifier.models import ClassifierModel

from .conftest import LABEL, TEXT, closed_appeals, product_categories, sample, write_csv

FIGURES = re.compile(
    r"^classifier (train|evaluate) n=(\d+) test=(\d+) accuracy=(0\.\d\d|1\.00) macro_f1=(0\.\d\d|1\.00) "
    r"train_s=\d+\.\d features=(\w+)$",
    re.M,
)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("classifier", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def csv_args(path) -> list[str]:  # type: ignore[no-untyped-def]
    return ["--csv", str(path), "--text-column", TEXT, "--label-column", LABEL]


def test_evaluate_on_a_csv_needs_no_categories_and_prints_the_figures(db, complaints_csv):
    out, err = run("evaluate", *csv_args(complaints_csv))
    assert Category.objects.count() == 0 and ClassifierModel.objects.count() == 0
    lines = out.splitlines()
    assert lines[0].startswith("accuracy 0.")
    assert re.search(r"^class\s+precision\s+recall\s+f1\s+support$", out, re.M)
    assert re.search(r"^Debt collection\s+0\.\d{3}\s+0\.\d{3}\s+0\.\d{3}\s+\d+$", out, re.M)
    assert "confusion among the worst classes (rows: true class, columns: predicted)" in out
    assert re.search(r"^\[1\] .+(\s+\d+){4,}$", out, re.M)
    figures = FIGURES.search(lines[-1])
    assert figures and figures[1] == "evaluate" and figures[2] == "417" and figures[6] == "chars"
    assert int(figures[3]) < 120 and float(figures[5]) > 0.5
    for stage in ("loading", "featurising", "fitting", "evaluating"):
        assert stage in err


def test_evaluate_compares_feature_sets_with_cross_validation(db, complaints_csv):
    out, _err = run("evaluate", *csv_args(complaints_csv), "--features", "lemmas", "--cv", "3")
    assert "cross-validated macro-F1 per fold: 0." in out
    assert re.search(r"features=lemmas cv3_macro_f1=0\.\d{3}±0\.\d{3}$", out.splitlines()[-1])


def test_csv_labels_that_match_no_category_are_refused_with_their_list(db, tmp_path):
    product_categories()
    Category.objects.filter(code="consumer-loan").delete()
    Category.objects.filter(code="mortgage").update(code="home", name_en="Home loans")
    path = write_csv(tmp_path / "export.csv", sample(10))
    with pytest.raises(CommandError) as refused:
        run("train", *csv_args(path), "--min-examples", "10")
    message = str(refused.value)
    assert message.startswith("These labels match no category by code or name: ")
    assert set(message.split(": ", 1)[1].split(".")[0].split("; ")) == {"Consumer Loan", "Mortgage"}
    assert "--create-missing" in message
    assert ClassifierModel.objects.count() == 0 and Category.objects.count() == 3  # none created


def test_csv_labels_match_by_code_name_or_english_name_in_any_case(db, tmp_path):
    categories = product_categories()
    relabel = {
        "Credit reporting, repair, or other": "CREDIT-REPORTING",  # code
        "Debt collection": "взыскание долгов",  # Russian name
        "Mortgage": "mortgage",  # English name (and the code)
        "Consumer Loan": "consumer loan",
    }
    path = write_csv(tmp_path / "export.csv", [(relabel[label], text) for label, text in sample(10)])
    out, _err = run("train", *csv_args(path), "--min-examples", "10", "--features", "lemmas")
    model = ClassifierModel.objects.get()
    assert {label["value"] for label in model.labels} <= {c.pk for c in categories.values()}
    assert model.features == "lemmas" and model.source == "export.csv" and model.is_active
    assert "stored category v1 (activated): Activated: no model was active." in out
    assert FIGURES.search(out.splitlines()[-1])[1] == "train"


def test_create_missing_makes_the_categories_a_csv_names(db, complaints_csv):
    out, err = run("train", *csv_args(complaints_csv), "--create-missing", "--no-activate")
    names = set(Category.objects.values_list("name", flat=True))
    assert names == {"Credit reporting, repair, or other", "Debt collection", "Mortgage", "Consumer Loan"}
    assert Category.objects.get(name="Debt collection").code == "debt-collection"
    model = ClassifierModel.objects.get()
    assert not model.is_active and model.trained_on + model.tested_on == 417
    assert "(kept): Stored inactive, as asked." in out and "fitting" in err


def test_bad_arguments_are_refused(db, complaints_csv):
    with pytest.raises(CommandError, match="no column “Text”"):
        run("evaluate", "--csv", str(complaints_csv), "--text-column", "Text", "--label-column", LABEL)
    with pytest.raises(CommandError, match="--csv needs --text-column and --label-column"):
        run("evaluate", "--csv", str(complaints_csv))
    with pytest.raises(CommandError, match="No such file"):
        run("evaluate", "--csv", "/nonexistent.csv", "--text-column", TEXT, "--label-column", LABEL)
    with pytest.raises(CommandError, match="the CSV has 417 examples, 5000 needed"):
        run("train", *csv_args(complaints_csv), "--create-missing", "--min-examples", "5000")
    assert Category.objects.count() == 0


def test_train_and_evaluate_on_the_closed_appeals(db, org):
    categories = product_categories()
    closed_appeals(org.adam, sample(step=20), categories)  # 105 appeals, 2 of them consumer loans
    org.appeal()  # an open appeal without a category is not an example
    out, err = run("train", "--min-examples", "50")
    assert "loading" in err and "evaluating" in err
    model = ClassifierModel.objects.get()
    assert model.source == "appeals" and model.is_active and model.trained_on + model.tested_on == 103
    assert model.metrics["dropped"] == {"Consumer Loan": 2}  # too few to learn
    assert "left out, too few examples: Consumer Loan (2)" in out
    assert model.metrics["closed_until"]
    figures = FIGURES.search(out.splitlines()[-1])
    assert figures[2] == "103"
    # The stored model measured again on the same held-out appeals: the same figures.
    again, _err = run("evaluate", "--model", "active")
    assert FIGURES.search(again.splitlines()[-1]).groups()[1:5] == figures.groups()[1:5]
    fresh, _err = run("evaluate")
    assert FIGURES.search(fresh.splitlines()[-1])[2] == "103"
    with pytest.raises(CommandError, match="There is no version 9"):
        run("evaluate", "--model", "9")


def test_list_activate_and_rollback(db, tmp_path, complaints_csv):
    run("train", *csv_args(complaints_csv), "--create-missing", "--features", "lemmas")
    run("train", *csv_args(complaints_csv), "--activate")
    out, _err = run("list")
    rows = out.splitlines()
    assert rows[0].split()[:3] == ["target", "version", "active"]
    assert re.match(
        r"^category\s+2\s+\*\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+complaints\.csv\s+chars\s+417\s+0\.\d{3}", rows[1]
    )
    assert re.match(r"^category\s+1\s+\d{4}-", rows[2])
    assert run("rollback")[0].strip() == "active: category v1"
    assert run("activate", "2")[0].strip() == "active: category v2"
    with pytest.raises(CommandError, match="There is no version 5"):
        run("activate", "5")
    with pytest.raises(CommandError, match="No queue model is active"):
        run("rollback", "--target", "queue")
