"""/settings/classifier/: administrators see the versions with their figures, switch
them, start a training and set the queues' thresholds; nobody else gets in."""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.test import Client

from okno.routing.classifier.models import ClassifierModel
from okno.routing.models import QueueRouting

from .conftest import train_csv

HTMX = {"HX-Request": "true", "HX-Target": "classifier-region"}


def signed_in(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_only_administrators_open_the_page(db, org):
    assert signed_in(org.adam).get("/settings/classifier/").status_code == 200
    for user in (org.anna, org.sergey, org.dina):
        assert signed_in(user).get("/settings/classifier/").status_code == 403
        assert signed_in(user).post(f"/settings/classifier/queues/{org.claims.pk}/threshold/").status_code == 403
    assert Client().get("/settings/classifier/").status_code == 302


def test_the_page_shows_each_version_with_its_figures(db, org, tmp_path):
    v1 = train_csv(tmp_path, activate=True)
    train_csv(tmp_path, features="lemmas")
    response = signed_in(org.adam, "ru").get("/settings/classifier/")
    html = response.content.decode()
    assert 'data-version="1" data-active="true"' in html and 'data-version="2" data-active="false"' in html
    assert f"{v1.macro_f1:.3f}".replace(".", ",") in html  # Russian number format
    assert 'href="/settings/classifier/"' in html  # the menu link
    data = json.loads(re.search(r'<script id="classifier-chart-data" type="application/json">(.*?)</script>', html)[1])
    chart = data["targets"]["category"]
    assert "Ипотека" in chart["labels"] and all(0 <= f <= 100 for f in chart["f1"])
    assert "classifier-confusion" in html
    assert f'id="threshold-{org.claims.pk}"' in html and f'id="threshold-{org.support.pk}"' in html
    # Another version's figures on request.
    other = signed_in(org.adam).get(f"/settings/classifier/?model={ClassifierModel.objects.get(version=2).pk}")
    assert re.search(r'<tr data-version="2" data-active="false" class="table-active">', other.content.decode())


def test_activate_and_roll_back_from_the_page(db, org, tmp_path):
    train_csv(tmp_path, activate=True)
    v2 = train_csv(tmp_path)
    client = signed_in(org.adam)
    response = client.post(f"/settings/classifier/models/{v2.pk}/activate/", headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="classifier-region"')
    assert 'data-version="2" data-active="true"' in html and "Version 2 is active now." in html
    response = client.post("/settings/classifier/rollback/category/", headers=HTMX)
    assert 'data-version="1" data-active="true"' in response.content.decode()
    assert ClassifierModel.objects.get(is_active=True).version == 1
    refused = client.post("/settings/classifier/rollback/category/", headers=HTMX)
    assert refused.status_code == 409 and "alert-danger" in refused.content.decode()
    assert client.post("/settings/classifier/models/999999/activate/").status_code == 404


def test_train_now_shows_the_state_of_the_training(db, org, django_capture_on_commit_callbacks):
    client = signed_in(org.adam)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/settings/classifier/train/", {"target": "category"}, headers=HTMX)
    html = response.content.decode()
    # Queued: the region asks again every two seconds and the button waits.
    assert 'hx-trigger="every 2s"' in html and 'data-status="READY"' in html
    assert re.search(r'id="train-now"\s*disabled', html)
    again = client.post("/settings/classifier/train/", {"target": "category"}, headers=HTMX)
    assert again.status_code == 409 and "already queued or running" in again.content.decode()


def test_thresholds_are_saved_per_queue(db, org):
    client = signed_in(org.adam)
    url = f"/settings/classifier/queues/{org.claims.pk}/threshold/"
    response = client.post(url, {"threshold": "0,9"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'value="0.90"' in response.content.decode()
    assert QueueRouting.objects.get(queue=org.claims).auto_apply_threshold == 0.9
    refused = client.post(url, {"threshold": "0.2"}, headers={"HX-Request": "true"})
    assert refused.status_code == 400 and 'value="0.90"' in refused.content.decode()
    cleared = client.post(url, {"threshold": ""}, headers={"HX-Request": "true"})
    assert "threshold-state" in cleared.content.decode()
    assert QueueRouting.objects.get(queue=org.claims).auto_apply_threshold is None
