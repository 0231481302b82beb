"""Trained classifier models, versioned per target field."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    CATEGORY = "category", _("Category")
    QUEUE = "queue", _("Queue")
    KIND = "kind", _("Kind")
    PRODUCT = "product", _("Product")


class ClassifierModel(models.Model):
    """One trained model: the fitted pipeline (``blob``, signed so that only this
    installation's models are ever loaded), what it was trained on and how it
    scored on the held-out split. One model per target is active; an older one
    can be made active again (rollback)."""

    target = models.CharField(_("predicts"), max_length=20, choices=Target.choices, default=Target.CATEGORY)
    version = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("trained"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("trained on"), max_length=200, blank=True)  # "appeals" or a CSV file name
    features = models.CharField(_("features"), max_length=30, blank=True)
    trained_on = models.PositiveIntegerField(_("training examples"), default=0)
    tested_on = models.PositiveIntegerField(_("held-out examples"), default=0)
    train_seconds = models.FloatField(_("training time, s"), default=0)
    accuracy = models.FloatField(_("accuracy"), null=True, blank=True)
    macro_f1 = models.FloatField(_("macro-F1"), null=True, blank=True)
    # Per class F1/support, the confusion of the worst classes, label names.
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    # The class labels in the model's order: [{"value": pk, "label": "…"}, …].
    labels = models.JSONField(_("labels"), default=list, blank=True)
    blob = models.BinaryField(editable=False)
    signature = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=False)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("classifier model")
        verbose_name_plural = _("classifier models")
        ordering = ["target", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["target", "version"], name="uniq_classifier_version"),
            models.UniqueConstraint(
                fields=["target"], condition=models.Q(is_active=True), name="one_active_classifier_per_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} v{self.version}"
