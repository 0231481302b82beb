"""Stored models: signed blobs (a blob that does not verify is never unpickled),
versions, activation and rollback."""

from __future__ import annotations

import io
import logging
import pickle
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from okno.core.errors import Conflict, NotFound
from okno.routing.classifier.models import ClassifierModel
from okno.routing.classifier.services import predict, store

from .conftest import train_csv


class _Trap:
    """Unpickling this creates a file: proof that a blob was (or was not) unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.path,))


def test_a_model_is_stored_signed_and_loads_back(db, tmp_path):
    model = train_csv(tmp_path)
    assert model.version == 1 and not model.is_active
    assert len(model.signature) == 64 and store.verifies(model)
    pipeline = store.load_pipeline(ClassifierModel.objects.get(pk=model.pk))
    assert list(pipeline.predict(["They foreclosed on my house and the mortgage servicer lost my papers."])) == [
        str(model.labels[[label["label"] for label in model.labels].index("Mortgage")]["value"])
    ]
    assert train_csv(tmp_path).version == 2


def test_a_blob_whose_signature_does_not_verify_is_never_unpickled(db, tmp_path, caplog):
    model = train_csv(tmp_path)
    trap = tmp_path / "unpickled"
    buffer = io.BytesIO()
    pickle.dump(_Trap(trap), buffer)
    ClassifierModel.objects.filter(pk=model.pk).update(blob=buffer.getvalue())  # signature left as it was
    tampered = ClassifierModel.objects.get(pk=model.pk)
    with caplog.at_level(logging.ERROR), pytest.raises(store.ModelUnreadable, match="signature does not match"):
        store.load_pipeline(tampered)
    assert not trap.exists()
    assert f"Classifier model {model.pk} (category v1): the signature does not verify" in caplog.text
    # Nor can it be activated, and registration's suggestions skip it.
    with pytest.raises(store.ModelUnreadable):
        store.activate(None, tampered)
    ClassifierModel.objects.filter(pk=model.pk).update(is_active=True)
    predict.reset()
    assert predict.suggest_many(["a mortgage complaint"]) == [{}]
    assert not trap.exists()


def test_a_model_signed_under_a_rotated_key_still_loads(db, tmp_path, settings):
    settings.SECRET_KEY = "the-old-key-" + "x" * 40
    model = train_csv(tmp_path)
    with override_settings(SECRET_KEY="the-new-key-" + "y" * 40, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
        assert store.verifies(model)
        store.load_pipeline(model)
    with override_settings(SECRET_KEY="the-new-key-" + "y" * 40, SECRET_KEY_FALLBACKS=[]):
        assert not store.verifies(model)
        with pytest.raises(store.ModelUnreadable):
            store.load_pipeline(model)


def test_a_signature_binds_the_blob_to_its_target_and_version(db, tmp_path):
    model = train_csv(tmp_path)
    ClassifierModel.objects.filter(pk=model.pk).update(version=7)
    assert not store.verifies(ClassifierModel.objects.get(pk=model.pk))


def test_activate_and_roll_back_step_through_the_versions(db, tmp_path, org):
    v1, v2, v3 = (train_csv(tmp_path) for _ in range(3))
    with pytest.raises(Conflict, match="nothing to roll back"):
        store.rollback(org.adam, "category")
    store.activate(org.adam, v1)
    with pytest.raises(Conflict, match="no earlier version"):
        store.rollback(org.adam, "category")
    store.activate(org.adam, v3)
    assert list(ClassifierModel.objects.filter(is_active=True).values_list("version", flat=True)) == [3]
    # v2 was never active: rolling back from v3 goes to v1.
    assert store.rollback(org.adam, "category").version == 1
    assert store.active("category").version == 1
    assert "Rolled back to v1" in ClassifierModel.objects.get(pk=v3.pk).notes
    store.activate(org.adam, v2)
    store.activate(org.adam, v3)
    assert store.rollback(org.adam, "category").version == 2
    assert store.rollback(org.adam, "category").version == 1
    assert [m.version for m in store.versions("category")] == [3, 2, 1]


def test_only_administrators_switch_models(db, tmp_path, org):
    model = train_csv(tmp_path)
    for user in (org.anna, org.sergey, org.dina, org.kira):
        with pytest.raises(PermissionDenied):
            store.activate(user, model)
        with pytest.raises(PermissionDenied):
            store.rollback(user, "category")
    with pytest.raises(NotFound):
        store.activate(org.adam, 999_999)
    assert store.activate(org.adam, model).is_active
