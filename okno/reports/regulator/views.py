"""The regulator report pages: the report (summary on screen, one click for the
workbook, the PDF or both), the appeals behind each number, and the
administrators' templates with a PDF preview. Numbers come from ``services``."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okno.accounts.services import is_admin
from okno.appeals import queries
from okno.appeals.views.common import current_user
from okno.core.auth import login_required
from okno.core.downloads import PDF_TYPE, file_response
from okno.core.errors import InvalidInput, OknoError
from okno.reports.regulator.models import RegulatorReportTemplate
from okno.reports.regulator.services import drill as drill_service
from okno.reports.regulator.services import export, layout
from okno.reports.regulator.services import summary as service
from okno.reports.regulator.services.layout import SECTIONS

DATE_WIDGET = {"type": "date", "class": "form-control form-control-sm"}
# The page shows this many forwarded appeals and links the rest (the list of all of
# them, paged); the workbook has them all. A year at a bank is thousands.
PAGE_FORWARDED_LIMIT = 50


class ReportForm(forms.Form):
    """Period and template. A preset period fills in both dates (what was typed is
    ignored); "custom" takes them as typed."""

    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=list(service.REGULATOR_PRESET_LABELS.items()),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")
    )
    template = forms.ModelChoiceField(
        label=gettext_lazy("Template"),
        required=False,
        queryset=RegulatorReportTemplate.objects.filter(is_active=True),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    version = forms.IntegerField(
        label=gettext_lazy("Version"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, data: dict[str, Any], *, today: date) -> None:
        data = dict(data)
        preset = data.get("period") in service.PRESETS and data.get("period") != "custom"
        if preset:
            start, end = service.period(str(data["period"]), today)
            data["date_from"], data["date_to"] = start.isoformat(), end.isoformat()
        super().__init__(data)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            for name in ("date_from", "date_to"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Give both dates of a custom period."))
        return data


def _form(request: HttpRequest) -> ReportForm:
    data = {"period": "last_year", **{k: v for k, v in request.GET.items() if k in ReportForm.base_fields and v}}
    return ReportForm(data, today=timezone.localdate())


def _query(params: dict[str, Any]) -> dict[str, str]:
    """The report's own parameters, to carry into downloads and drill-down links."""
    query = {"period": params["period"]}
    if params["period"] == "custom":
        query.update(date_from=params["date_from"].isoformat(), date_to=params["date_to"].isoformat())
    if params.get("template") is not None:
        query["template"] = str(params["template"].pk)
    if params.get("version"):
        query["version"] = str(params["version"])
    return query


def _drill_links(summary: service.Summary, base: dict[str, str]) -> dict[str, str]:
    """For every number on the page, the address of the appeals behind it: the
    totals' in the returned dict, the rows' as ``url``/``forwarded_url``/``urls``
    on the summary's lines."""
    url = reverse("regulator:appeals") + "?"

    def link(**params: str) -> str:
        return url + urlencode({**base, **params})

    for name, lines in (("channel", summary.channels), ("topic", summary.topics)):
        for line in lines:
            line.url = link(measure="received", **{name: line.key})  # type: ignore[attr-defined]
            line.forwarded_url = link(measure="received", forwarded="1", **{name: line.key})  # type: ignore[attr-defined]
            for child in line.children:
                child.url = link(measure="received", subtopic=child.key)  # type: ignore[attr-defined]
                child.forwarded_url = link(measure="received", forwarded="1", subtopic=child.key)  # type: ignore[attr-defined]
    for line in summary.outcomes:
        line.url = link(measure="closed", outcome=line.key)  # type: ignore[attr-defined]
    for regime in summary.regimes:
        regime.urls = {  # type: ignore[attr-defined]
            "answered": link(measure="answered", regime=regime.key),
            "on_time": link(measure="answered", regime=regime.key, on_time="1"),
            "late": link(measure="answered", regime=regime.key, on_time="0"),
            "overdue": link(measure="overdue", regime=regime.key),
        }
    return {
        "received": link(measure="received"),
        "forwarded": link(measure="received", forwarded="1"),
        "closed": link(measure="closed"),
        "answered": link(measure="answered"),
        "on_time": link(measure="answered", on_time="1"),
        "late": link(measure="answered", on_time="0"),
        "overdue": link(measure="overdue"),
        "forwarded_answered": link(measure="answered", forwarded="1"),
        "forwarded_on_time": link(measure="answered", forwarded="1", on_time="1"),
    }


def _charts(summary: service.Summary) -> dict[str, Any]:
    """What ``reports.js`` draws: received by channel (all and forwarded), and the
    answers by deadline regime (on time, late, deadline passed without one), each
    bar opening the same list as the number in the table."""
    channels = summary.channels
    regimes = summary.regimes
    return {
        "channels": {
            "type": "bar",
            "horizontal": True,
            "labels": [line.name for line in channels],
            "datasets": [
                {"key": "received", "label": _("Received"), "data": [line.count for line in channels]},
                {
                    "key": "forwarded",
                    "label": _("Forwarded by the regulator"),
                    "data": [line.forwarded for line in channels],
                },
            ],
            "links": {
                "received": [line.url for line in channels],  # type: ignore[attr-defined]
                "forwarded": [line.forwarded_url for line in channels],  # type: ignore[attr-defined]
            },
        },
        "regimes": {
            "type": "bar",
            "horizontal": True,
            "stacked": True,
            "labels": [f"{r.name} ({r.term})" for r in regimes],
            "datasets": [
                {"key": "on_time", "label": _("On time"), "data": [r.on_time for r in regimes]},
                {"key": "late", "label": _("Late"), "data": [r.late for r in regimes]},
                {
                    "key": "overdue",
                    "label": _("Deadline passed, no answer"),
                    "data": [r.overdue_unanswered for r in regimes],
                },
            ],
            "links": {key: [r.urls[key] for r in regimes] for key in ("on_time", "late", "overdue")},  # type: ignore[attr-defined]
        },
    }


def _download(summary: service.Summary, report_layout: Any, kind: str) -> HttpResponse:
    content = export.build_file(summary, report_layout, kind)
    return file_response(content, export.file_name(summary, kind), export.FILE_TYPES[kind])


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """GET: the page; ``?format=xlsx|pdf|zip``: the files."""
    user = current_user(request)
    service.require_view(user)
    form = _form(request)
    context: dict[str, Any] = {"nav_section": "regulator", "form": form, "summary": None, "is_admin": is_admin(user)}
    status = 200
    if form.is_valid():
        params = form.cleaned_data
        try:
            report_layout = layout.layout_of(params.get("template"), params.get("version"))
            summary = service.build_summary(user, params["date_from"], params["date_to"])
        except OknoError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            kind = request.GET.get("format", "")
            if kind in export.FILE_TYPES:
                try:
                    return _download(summary, report_layout, kind)
                except InvalidInput as exc:  # the template fails on this data
                    form.add_error(None, exc.message)
                    status = 400
            query = _query(params)
            context.update(
                summary=summary,
                layout=report_layout,
                downloads={kind: "?" + urlencode({**query, "format": kind}) for kind in export.FILE_TYPES},
                links=_drill_links(
                    summary,
                    {
                        **query,
                        "date_from": summary.date_from.isoformat(),
                        "date_to": summary.date_to.isoformat(),
                        "period": "custom",
                    },
                ),
                charts=_charts(summary),
                forwarded_shown=summary.forwarded_list[:PAGE_FORWARDED_LIMIT],
                forwarded_more=max(0, len(summary.forwarded_list) - PAGE_FORWARDED_LIMIT),
                median_days=export._days(summary.median_answer),
                average_days=export._days(summary.average_answer),
                versions=list(
                    report_layout.template.versions.values_list("number", "created_at")  # type: ignore[attr-defined]
                )
                if getattr(report_layout, "template_id", None)
                else [],
            )
    if not form.is_valid():
        status = 400
    return render(request, "regulator/report.html", context, status=status)


@login_required
@require_GET
def appeals(request: HttpRequest) -> HttpResponse:
    """The appeals behind one number of the report, a page at a time."""
    user = current_user(request)
    service.require_view(user)
    form = _form(request)
    context: dict[str, Any] = {"nav_section": "regulator", "form": form, "page": None}
    status = 200
    if form.is_valid():
        params = form.cleaned_data
        try:
            qs = drill_service.drill_appeals(
                user, params["date_from"], params["date_to"], {k: request.GET.get(k, "") for k in drill_service.PARAMS}
            )
            page_number = request.GET.get("page", "1")
            page = queries.paginate(
                qs.select_related("category", "kind"), int(page_number) if page_number.isdecimal() else 1, 50
            )
        except OknoError as exc:
            context["error"] = exc.message
            status = 400
        else:
            query = {k: v for k, v in request.GET.items() if k != "page"}
            context.update(
                page=page,
                date_from=params["date_from"],
                date_to=params["date_to"],
                back=reverse("regulator:report")
                + "?"
                + urlencode({k: v for k, v in query.items() if k in ReportForm.base_fields}),
                page_query=urlencode(query),
                measure=request.GET.get("measure") or "received",
            )
    else:
        status = 400
    return render(request, "regulator/appeals.html", context, status=status)


# --- templates (administrators) ----------------------------------------------------------


class TemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    regulator = forms.CharField(label=gettext_lazy("Regulator"), max_length=200)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)
    landscape = forms.BooleanField(label=gettext_lazy("Landscape pages"), required=False)
    body_source = forms.CharField(label=gettext_lazy("PDF body (Django template)"), widget=forms.Textarea)
    style = forms.CharField(label=gettext_lazy("PDF style sheet (CSS)"), required=False, widget=forms.Textarea)
    sections = forms.CharField(label=gettext_lazy("Workbook sections (JSON)"), widget=forms.Textarea)

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        try:
            data["sections"] = json.loads(data["sections"])
        except json.JSONDecodeError as exc:
            raise InvalidInput(
                _("The sections are not valid JSON (line %(line)s): %(error)s")
                % {"line": exc.lineno, "error": exc.msg},
                field="sections",
            ) from None
        return data


def _require_admin(request: HttpRequest) -> Any:
    user = current_user(request)
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may change regulator report templates."))
    return user


def _initial(template: RegulatorReportTemplate | None) -> dict[str, Any]:
    from okno.reports.regulator.defaults import default_values

    values = default_values() if template is None else {name: getattr(template, name) for name in layout.FIELDS}
    values["is_active"] = True if template is None else template.is_active
    values["sections"] = json.dumps(values["sections"], ensure_ascii=False, indent=2)
    if template is None:
        values["name"] = ""
    return values


@login_required
@require_GET
def templates(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    rows = RegulatorReportTemplate.objects.all()
    return render(request, "regulator/templates.html", {"nav_section": "regulator", "templates": rows})


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or change a template; a changed layout is saved as a new version."""
    user = _require_admin(request)
    template = layout.get_template(pk) if pk is not None else None
    status = 200
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                values = form.values()
                if template is None:
                    template = layout.create_template(user, values)
                else:
                    template = layout.update_template(user, template, values)
            except OknoError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Template saved (version %(n)s).") % {"n": template.version})
                return redirect("regulator:template", template.pk)
        status = 400
    else:
        form = TemplateForm(initial=_initial(template))
    context = {
        "nav_section": "regulator",
        "form": form,
        "template": template,
        "versions": template.versions.all() if template is not None else [],
        "sections": SECTIONS,
        "last_month": service.period("last_month", timezone.localdate()),
    }
    return render(request, "regulator/template_edit.html", context, status=status)


@login_required
@require_POST
def template_preview(request: HttpRequest) -> HttpResponse:
    """The PDF of last month's report with the layout as typed (not saved); an error
    page naming the line when the template does not compile or render."""
    user = _require_admin(request)
    form = TemplateForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            values = layout.clean(form.values())
            preview_layout = layout.builtin_layout()
            for name, value in values.items():
                setattr(preview_layout, name, value)
            start, end = service.period("last_month", timezone.localdate())
            summary = service.build_summary(user, start, end)
            pdf = export.build_pdf(summary, preview_layout)
        except OknoError as exc:
            error = exc.message
        else:
            return file_response(pdf, "preview.pdf", PDF_TYPE, inline=True)
    else:
        error = " ".join(
            f"{form.fields[k].label}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items() if k in form.fields
        )
    return render(request, "regulator/preview_error.html", {"error": error}, status=400)
