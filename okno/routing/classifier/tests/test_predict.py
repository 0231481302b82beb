"""Suggestions at registration: the active model, loaded once per process, reloaded
when the active version changes, and only ever suggesting rows that still exist."""

from __future__ import annotations

import time

from okno.appeals.models import Category
from okno.routing.classifier.models import ClassifierModel
from okno.routing.classifier.services import predict, store

from .conftest import product_categories, sample, train_csv

DEBT = "A debt collector keeps calling me at work about a debt that is not mine and threatens to sue."
MORTGAGE = "The mortgage servicer did not apply my escrow payment and now says my home loan is in default."


def test_without_an_active_model_there_are_no_suggestions(db, tmp_path):
    assert predict.suggest_many([DEBT, MORTGAGE]) == [{}, {}]
    train_csv(tmp_path)  # stored, not active
    predict.reset()
    assert predict.suggest_many([DEBT]) == [{}]
    assert predict.suggest_many([]) == []


def test_the_active_model_suggests_a_category_with_its_confidence(db, tmp_path):
    model = train_csv(tmp_path, activate=True)
    categories = product_categories()
    debt, mortgage = predict.suggest_many([DEBT, MORTGAGE])
    assert debt["category"].value == categories["Debt collection"].pk
    assert mortgage["category"].value == categories["Mortgage"].pk
    suggestion = mortgage["category"]
    assert suggestion.target == "category" and suggestion.model == model.version
    assert 0.5 < suggestion.confidence <= 1
    assert suggestion.label == "Mortgage"  # English in tests; the display name now
    assert suggestion.as_json() == {
        "value": categories["Mortgage"].pk,
        "label": "Mortgage",
        "confidence": round(suggestion.confidence, 4),
        "model": model.version,
    }


def test_a_category_deleted_or_switched_off_since_training_is_not_suggested(db, tmp_path):
    train_csv(tmp_path, activate=True)
    categories = product_categories()
    assert predict.suggest_many([MORTGAGE])[0]["category"].value == categories["Mortgage"].pk
    Category.objects.filter(pk=categories["Mortgage"].pk).update(is_active=False)
    predict.forget()
    second = predict.suggest_many([MORTGAGE])[0]["category"]
    assert second.value != categories["Mortgage"].pk and second.confidence < 0.5
    categories["Mortgage"].delete()
    predict.forget()
    assert predict.suggest_many([MORTGAGE])[0]["category"].value in {c.pk for c in Category.objects.all()}


def test_a_renamed_category_is_suggested_by_its_name_now(db, tmp_path):
    train_csv(tmp_path, activate=True)
    Category.objects.filter(code="debt-collection").update(name_en="Collectors")
    predict.forget()
    assert predict.suggest_many([DEBT])[0]["category"].label == "Collectors"


def test_an_activation_in_this_process_is_used_at_once(db, tmp_path, django_capture_on_commit_callbacks):
    v1 = train_csv(tmp_path, activate=True)
    v2 = train_csv(tmp_path)
    assert predict.suggest_many([DEBT])[0]["category"].model == v1.version
    with django_capture_on_commit_callbacks(execute=True):
        store.activate(None, v2)
    assert predict.suggest_many([DEBT])[0]["category"].model == v2.version


def test_an_activation_in_another_process_is_seen_within_the_check_interval(db, tmp_path, monkeypatch):
    v1 = train_csv(tmp_path, activate=True)
    v2 = train_csv(tmp_path)
    assert predict.suggest_many([DEBT])[0]["category"].model == v1.version
    # Another process activates v2: only the database changes here.
    ClassifierModel.objects.filter(pk=v1.pk).update(is_active=False)
    ClassifierModel.objects.filter(pk=v2.pk).update(is_active=True)
    assert predict.suggest_many([DEBT])[0]["category"].model == v1.version  # still the loaded one
    later = time.monotonic() + predict.CHECK_SECONDS + 1
    monkeypatch.setattr(predict.time, "monotonic", lambda: later)
    assert predict.suggest_many([DEBT])[0]["category"].model == v2.version
    # Switched off everywhere: no suggestions once the process looks again.
    ClassifierModel.objects.filter(pk=v2.pk).update(is_active=False)
    monkeypatch.setattr(predict.time, "monotonic", lambda: later + predict.CHECK_SECONDS + 1)
    assert predict.suggest_many([DEBT]) == [{}]


def test_two_hundred_texts_take_a_few_milliseconds_each(db, tmp_path):
    train_csv(tmp_path, activate=True)
    texts = [text for _label, text in sample(step=10)][:200]
    predict.suggest_many(texts[:1])  # loaded
    started = time.perf_counter()
    found = predict.suggest_many(texts)
    per_text_ms = (time.perf_counter() - started) * 1000 / len(texts)
    assert len(found) == 200 and all("category" in f for f in found)
    # About 1 ms on this machine (bench/README.md); generous for a busy CI runner.
    assert per_text_ms < 15, per_text_ms


def test_a_character_model_predicts_word_by_word_with_the_same_probabilities(db, tmp_path):
    train_csv(tmp_path, activate=True)
    texts = [*[text for _label, text in sample(step=25)][:40], "Кредит по карте, прошу вернуть комиссию"]
    predict.suggest_many(texts[:1])
    (loaded,) = predict._refresh().values()
    assert loaded.features is not None  # the fast path is the one registration takes
    assert (loaded.probabilities(texts) - loaded.pipeline.predict_proba(texts)).max() < 1e-12
