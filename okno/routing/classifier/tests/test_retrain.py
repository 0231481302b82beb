"""The weekly retraining: it waits for enough newly closed appeals, and a new model
replaces the active one only if it is not worse on the same held-out appeals.
"Train now" runs the same task in the background."""

from __future__ import annotations

import random

import pytest
from django.tasks import TaskResultStatus

from okno.background.models import TaskRecord
from okno.background.schedule import get_job
from okno.core.errors import Conflict, PermissionDenied
from okno.routing.classifier.models import ClassifierModel
from okno.routing.classifier.services import learning, store
from okno.routing.classifier.tasks import TASK_PATH, retrain_classifiers

from .conftest import PRODUCTS, closed_appeals, product_categories, sample, train_csv

THREE = PRODUCTS[:3]


@pytest.fixture(autouse=True)
def _few_examples_suffice(settings):
    settings.CLASSIFIER_MIN_EXAMPLES = 40


def labelled(rows: list[tuple[str, str]], *, shuffled: bool = False) -> list[tuple[str, str]]:
    """The three big products' complaints; ``shuffled``: with labels drawn at random
    (an organisation whose categories say nothing about the text)."""
    rows = [(label, text) for label, text in rows if label in THREE]
    if shuffled:
        pick = random.Random(7)
        rows = [(pick.choice(THREE), text) for _label, text in rows]
    return rows


def test_the_retraining_is_a_weekly_periodic_job():
    job = get_job(TASK_PATH)
    assert job is not None and job.task is retrain_classifiers
    assert job.cron.expression == "0 3 * * 0"
    assert str(job.description) == "Retrain the classifier on newly closed appeals (weekly)"


def test_it_waits_for_enough_newly_closed_appeals_then_trains_and_activates(db, org):
    categories = product_categories()
    first_rows = labelled(sample(step=40))
    closed_appeals(org.adam, first_rows, categories)
    [outcome] = learning.retrain()
    assert outcome.status == "activated" and outcome.message == "Activated: no model was active."
    first = store.active("category")
    assert first is not None and first.source == "appeals" and first.created_by is None
    # Nothing closed since: not retrained.
    [outcome] = learning.retrain()
    assert outcome.status == "skipped"
    assert outcome.message == "Not retrained: 0 appeals closed since the last model, 40 needed."
    closed_appeals(org.adam, labelled(sample(step=40, offset=1))[:30], categories)
    assert learning.retrain()[0].message == "Not retrained: 30 appeals closed since the last model, 40 needed."
    closed_appeals(org.adam, labelled(sample(step=40, offset=2))[:15], categories)
    [outcome] = learning.retrain()
    assert outcome.status in ("activated", "kept") and outcome.model.version == 2
    assert outcome.model.trained_on + outcome.model.tested_on == len(first_rows) + 30 + 15


def test_a_new_model_worse_on_the_same_held_out_appeals_is_kept_inactive(db, org, tmp_path):
    """The active model has seen these appeals' (random) labels and recalls them; a
    model that has not can only guess: it is stored, not used, and says why."""
    categories = product_categories()
    rows = labelled(sample(step=12), shuffled=True)
    closed_appeals(org.adam, rows, categories)
    active = train_csv(tmp_path, rows, activate=True, test_size=0.02)  # learns (nearly) all of them
    [outcome] = learning.retrain()
    assert outcome.status == "kept", outcome.message
    assert store.active("category").pk == active.pk
    kept = ClassifierModel.objects.get(pk=outcome.model.pk)
    assert not kept.is_active
    assert kept.notes.startswith("Kept inactive: macro-F1 0.")
    assert f"macro-F1 {kept.macro_f1:.3f} is worse than {kept.metrics['compared']['macro_f1']:.3f}" in kept.notes
    assert f"of the active v{active.version} on the same {kept.tested_on} held-out examples." in kept.notes
    assert kept.metrics["compared"]["macro_f1"] - kept.macro_f1 > learning.TOLERANCE


def test_a_new_model_not_worse_replaces_the_active_one(db, org, tmp_path):
    categories = product_categories()
    closed_appeals(org.adam, labelled(sample(step=12)), categories)
    guesser = train_csv(tmp_path, labelled(sample(step=12, offset=5), shuffled=True), activate=True)
    [outcome] = learning.retrain()
    assert outcome.status == "activated"
    assert store.active("category").pk == outcome.model.pk != guesser.pk
    assert "against 0." in outcome.message and f"of v{guesser.version} on the same" in outcome.message
    assert outcome.model.macro_f1 >= outcome.model.metrics["compared"]["macro_f1"] - learning.TOLERANCE


def test_train_now_runs_the_task_and_keeps_a_model_of_too_few_appeals_inactive(
    db, org, django_capture_on_commit_callbacks
):
    categories = product_categories()
    rows = labelled(sample(step=60))
    assert len(rows) < 40
    closed_appeals(org.adam, rows, categories)
    with django_capture_on_commit_callbacks(execute=True):
        task_id = learning.enqueue_training(org.adam, "category", "lemmas")
    record = TaskRecord.objects.get(pk=task_id)
    assert record.task_path == TASK_PATH and record.status == TaskResultStatus.SUCCESSFUL
    [result] = record.return_value
    assert result["status"] == "kept" and result["version"] == 1
    assert result["message"].startswith(
        f"Kept inactive: trained on {len(rows)} closed appeals, fewer than the 40 needed"
    )
    model = ClassifierModel.objects.get()
    assert not model.is_active and model.features == "lemmas" and model.created_by == org.adam
    assert learning.last_training().pk == task_id


def test_one_training_at_a_time_and_administrators_only(db, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        learning.enqueue_training(org.adam)
        with pytest.raises(Conflict, match="already queued or running"):
            learning.enqueue_training(org.adam)
    for user in (org.anna, org.sergey, org.dina):
        with pytest.raises(PermissionDenied):
            learning.enqueue_training(user)


def test_train_now_with_no_appeals_says_so(db, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task_id = learning.enqueue_training(org.adam)
    [result] = TaskRecord.objects.get(pk=task_id).return_value
    assert result["status"] == "skipped" and result["message"].startswith("Not retrained: not enough examples: 0")
