"""The classifier through the API: administrators switch models, start a training
and set queues' thresholds; staff who register appeals ask for suggestions; the rest
get a 403, nonsense a 4xx with a message."""

from __future__ import annotations

from django.tasks import TaskResultStatus

from okno.background.models import TaskRecord
from okno.routing.classifier.models import ClassifierModel
from okno.routing.models import QueueRouting
from okno.testing_api import ApiClient

from .conftest import train_csv

DEBT = "A debt collector keeps calling me at work about a debt that is not mine and threatens to sue."


def test_models_are_listed_with_their_figures(db, org, tmp_path):
    model = train_csv(tmp_path, activate=True)
    listed = ApiClient(org.adam).get("/classifier/models")
    assert listed.status_code == 200
    [item] = listed.json()
    assert item["id"] == model.pk and item["version"] == 1 and item["is_active"] is True
    assert item["target"] == "category" and item["features"] == "chars" and 0 < item["macro_f1"] <= 1
    assert {"classes", "confusion"} <= set(item["metrics"])
    assert {label["label"] for label in item["labels"]} >= {"Debt collection", "Mortgage"}
    assert "blob" not in item and "signature" not in item
    assert ApiClient(org.anna).get("/classifier/models", {"target": "category"}).status_code == 200
    assert ApiClient(org.kira).get("/classifier/models").status_code == 403
    assert ApiClient(org.adam).get("/classifier/models", {"target": "colour"}).status_code == 400
    assert ApiClient().get("/classifier/models").status_code == 401


def test_administrators_activate_and_roll_back(db, org, tmp_path):
    v1 = train_csv(tmp_path, activate=True)
    v2 = train_csv(tmp_path)
    api = ApiClient(org.adam)
    for user in (org.anna, org.sergey, org.dina):
        assert ApiClient(user).post(f"/classifier/models/{v2.pk}/activate").status_code == 403
        assert ApiClient(user).post("/classifier/rollback?target=category").status_code == 403
    activated = api.post(f"/classifier/models/{v2.pk}/activate")
    assert activated.status_code == 200 and activated.json()["version"] == 2 and activated.json()["is_active"]
    rolled = api.post("/classifier/rollback?target=category")
    assert rolled.status_code == 200 and rolled.json()["id"] == v1.pk
    assert ClassifierModel.objects.get(is_active=True).pk == v1.pk
    assert api.post("/classifier/rollback?target=category").status_code == 409
    assert api.post("/classifier/rollback?target=colour").json()["field"] == "target"
    assert api.post("/classifier/rollback?target=colour").status_code == 400
    assert api.post("/classifier/models/999999/activate").status_code == 404


def test_administrators_start_a_training(db, org, django_capture_on_commit_callbacks):
    api = ApiClient(org.adam)
    assert ApiClient(org.anna).post("/classifier/train", {"target": "category"}).status_code == 403
    assert api.post("/classifier/train", {"target": "colour"}).status_code == 400
    assert api.post("/classifier/train", {"features": "words"}).json()["field"] == "features"
    assert api.post("/classifier/train", {"target": "category", "colour": 1}).status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post("/classifier/train", {"target": "category"})
    assert started.status_code == 202
    record = TaskRecord.objects.get(pk=started.json()["task_id"])
    assert record.status == TaskResultStatus.SUCCESSFUL and record.kwargs["force"] is True


def test_staff_who_register_appeals_ask_for_a_suggestion(db, org, tmp_path):
    assert ApiClient(org.anna).post("/classifier/suggest", {"text": DEBT}).json() == {"suggestions": {}}
    model = train_csv(tmp_path, activate=True)
    answer = ApiClient(org.anna).post("/classifier/suggest", {"subject": "Collectors", "text": DEBT})
    assert answer.status_code == 200
    suggestion = answer.json()["suggestions"]["category"]
    assert suggestion["label"] == "Взыскание долгов"  # the request's language (Russian by default)
    assert suggestion["model"] == model.version
    assert 0 < suggestion["confidence"] <= 1
    assert ApiClient(org.kira).post("/classifier/suggest", {"text": DEBT}).status_code == 403
    assert ApiClient(org.anna).post("/classifier/suggest", {}).status_code == 422


def test_administrators_set_a_queue_threshold(db, org):
    api = ApiClient(org.adam)
    path = f"/routing/queues/{org.claims.pk}/threshold"
    assert ApiClient(org.sergey).put(path, {"threshold": 0.8}).status_code == 403
    saved = api.put(path, {"threshold": 0.85})
    assert saved.status_code == 200 and saved.json() == {"queue": org.claims.pk, "threshold": 0.85}
    assert QueueRouting.objects.get(queue=org.claims).auto_apply_threshold == 0.85
    for wrong in (0.3, 1.5, -1):
        refused = api.put(path, {"threshold": wrong})
        assert refused.status_code == 400 and refused.json()["field"] == "threshold"
    assert api.put(path, {"threshold": "abc"}).status_code == 422
    assert api.put(path, {"threshold": None}).json()["threshold"] is None
    assert QueueRouting.objects.get(queue=org.claims).auto_apply_threshold is None
    assert api.put("/routing/queues/999999/threshold", {"threshold": 0.9}).status_code == 404
