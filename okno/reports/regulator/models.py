"""The regulator report's adaptable layout: a template per regulator (the PDF's body
as a Django template, the workbook's sections), with every saved change kept as a
version so that last year's report can be produced again exactly as it was."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Layout(models.Model):
    """What a template lays out; shared by the template and its versions."""

    name = models.CharField(_("name"), max_length=200)
    regulator = models.CharField(_("regulator"), max_length=200)
    body_source = models.TextField(_("PDF body (Django template)"))
    style = models.TextField(_("PDF style sheet (CSS)"), blank=True)
    landscape = models.BooleanField(_("landscape pages"), default=False)
    # [{"section": "channels", "title": "…", "sheet": "…"}, …]: okno.reports.regulator.services.layout.
    sections = models.JSONField(_("workbook sections"), default=list)

    class Meta:
        abstract = True


class RegulatorReportTemplate(Layout):
    """A regulator report's layout, as an administrator adapted it. Changed only
    through ``services.layout`` (it validates the template and keeps a version)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_preset = models.BooleanField(_("shipped preset"), default=False, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("regulator report template")
        verbose_name_plural = _("regulator report templates")
        ordering = ["-is_active", "name", "id"]

    def __str__(self) -> str:
        return self.name


class RegulatorReportTemplateVersion(Layout):
    """A template as it was saved once; never changed afterwards."""

    template = models.ForeignKey(
        RegulatorReportTemplate, on_delete=models.CASCADE, related_name="versions", verbose_name=_("template")
    )
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )

    class Meta:
        verbose_name = _("regulator report template version")
        verbose_name_plural = _("regulator report template versions")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="uniq_regulator_template_version"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="regulator_template_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"
