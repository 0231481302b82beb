"""API: the regulator report (the same numbers as /reports/regulator/) as JSON, XLSX
and PDF for supervisors, compliance officers and administrators; its templates
for administrators. A template is never deleted: DELETE switches it off and its
versions stay to reproduce old reports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from okno.accounts.models import User
from okno.core.apitools import ApiDate, Id, InputSchema, current_user
from okno.core.downloads import PDF_TYPE, XLSX_TYPE, file_response
from okno.core.errors import InvalidInput, NotFound
from okno.reports.regulator.models import Layout, RegulatorReportTemplate
from okno.reports.regulator.services import export, layout
from okno.reports.regulator.services import summary as service
from okno.reports.regulator.services.layout import SECTIONS_SCHEMA

router = Router(tags=["reports"])
PREFIX = "/reports/regulator"

Preset = Literal["this_year", "last_year", "quarter", "last_quarter", "this_month", "last_month", "custom"]


class ReportQuery(Schema):
    period: Preset = Field("last_year", description="A preset period, or `custom` with both dates.")
    date_from: ApiDate | None = Field(None, description="With `period=custom`: the first day (included).")
    date_to: ApiDate | None = Field(None, description="With `period=custom`: the last day (included).")
    template: Id | None = Field(None, description="A template id; the default template if omitted.")
    version: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(
        None, description="A version of the template; its latest if omitted."
    )


class LineOut(Schema):
    key: str
    name: str
    count: int
    forwarded: int
    children: list[LineOut] = Field(default_factory=list)


LineOut.model_rebuild()


class RegimeOut(Schema):
    key: str
    name: str
    term: str
    statutory: bool
    answered: int
    on_time: int
    late: int
    on_time_percent: float | None
    overdue_unanswered: int
    forwarded_answered: int
    forwarded_on_time: int


class ForwardedOut(Schema):
    number: str
    reference: str
    letter_date: dt.date | None
    received: dt.datetime
    category: str
    status: str
    due_at: dt.datetime | None
    answered_at: dt.datetime | None
    on_time: bool | None
    overdue: bool


class TotalsOut(Schema):
    received: int
    forwarded: int
    closed: int
    answered: int
    answered_on_time: int
    answered_late: int
    on_time_percent: float | None
    overdue_unanswered: int
    forwarded_answered: int
    forwarded_on_time: int
    median_answer_days: float | None
    average_answer_days: float | None
    median_answer_hours: float | None
    average_answer_hours: float | None


class PeriodOut(Schema):
    label: str
    date_from: dt.date
    date_to: dt.date


class SummaryOut(Schema):
    organisation: str
    regulator: str
    report_name: str
    period: PeriodOut
    generated_at: dt.datetime
    totals: TotalsOut
    channels: list[LineOut]
    topics: list[LineOut]
    outcomes: list[LineOut]
    regimes: list[RegimeOut]
    forwarded: list[ForwardedOut]


def _period(q: ReportQuery) -> tuple[dt.date, dt.date]:
    if q.period != "custom":
        return service.period(q.period, timezone.localdate())
    if q.date_from is None or q.date_to is None:
        raise InvalidInput(
            _("Give both dates of a custom period."), field="date_from" if q.date_from is None else "date_to"
        )
    return q.date_from, q.date_to


def _report(request: HttpRequest, q: ReportQuery) -> tuple[service.Summary, Layout]:
    user = current_user(request)
    service.require_view(user)
    date_from, date_to = _period(q)
    report_layout = layout.layout_of(q.template, q.version)
    return service.build_summary(user, date_from, date_to), report_layout


@router.get(f"{PREFIX}/summary", response=SummaryOut, summary="Regulator report: the numbers")
def summary(request: HttpRequest, q: Query[ReportQuery]) -> dict[str, Any]:
    """Received by channel and topic, outcomes, answers on time and late per deadline
    regime, the appeals forwarded by the regulator (all of them) and the median
    answer time, for the period; counts only the appeals the caller may see."""
    report, report_layout = _report(request, q)
    return export.report_context(report, report_layout)


def _file(request: HttpRequest, q: ReportQuery, kind: str) -> HttpResponse:
    report, report_layout = _report(request, q)
    content = export.build_file(report, report_layout, kind)
    return file_response(content, export.file_name(report, kind), export.FILE_TYPES[kind])


@router.get(
    f"{PREFIX}/report.xlsx",
    response={200: None},
    summary="Regulator report: the workbook",
    openapi_extra={
        "responses": {
            200: {
                "description": "XLSX",
                "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def report_xlsx(request: HttpRequest, q: Query[ReportQuery]) -> HttpResponse:
    return _file(request, q, "xlsx")


@router.get(
    f"{PREFIX}/report.pdf",
    response={200: None},
    summary="Regulator report: the PDF",
    openapi_extra={
        "responses": {
            200: {
                "description": "PDF",
                "content": {PDF_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def report_pdf(request: HttpRequest, q: Query[ReportQuery]) -> HttpResponse:
    return _file(request, q, "pdf")


# --- templates (administrators) ---------------------------------------------------------

Name = Annotated[str, StringConstraints(max_length=200)]
Source = Annotated[str, StringConstraints(max_length=layout.MAX_SOURCE)]
Style = Annotated[str, StringConstraints(max_length=layout.MAX_STYLE)]
Sections = Annotated[list[dict[str, Any]], Field(json_schema_extra=SECTIONS_SCHEMA)]


class TemplateIn(InputSchema):
    name: Name
    regulator: Name
    body_source: Source = Field(description="The PDF body: a Django template (sandboxed; see the editor's help).")
    style: Style = ""
    landscape: bool = False
    sections: Sections = Field(description="The workbook's sections, in order.")
    is_active: bool = True


class TemplatePatchIn(InputSchema):
    name: Name | None = None
    regulator: Name | None = None
    body_source: Source | None = None
    style: Style | None = None
    landscape: bool | None = None
    sections: Sections | None = None
    is_active: bool | None = None


class TemplateOut(Schema):
    id: int
    code: str
    name: str
    regulator: str
    is_active: bool
    is_preset: bool
    version: int
    updated_at: dt.datetime
    body_source: str
    style: str
    landscape: bool
    sections: list[dict[str, Any]]


class VersionOut(Schema):
    number: int
    created_at: dt.datetime
    name: str
    regulator: str
    body_source: str
    style: str
    landscape: bool
    sections: list[dict[str, Any]]


def _admin(request: HttpRequest) -> User:
    user = current_user(request)
    layout.require_admin(user)
    return user


@router.get(f"{PREFIX}/templates", response=list[TemplateOut], summary="Regulator report templates")
def list_templates(request: HttpRequest) -> Any:
    _admin(request)
    return list(RegulatorReportTemplate.objects.all())


@router.post(f"{PREFIX}/templates", response={201: TemplateOut}, summary="Create a regulator report template")
def create_template(request: HttpRequest, payload: TemplateIn) -> Status[RegulatorReportTemplate]:
    return Status(201, layout.create_template(_admin(request), payload.model_dump()))


@router.get(f"{PREFIX}/templates/{{template_id}}", response=TemplateOut, summary="One template")
def get_template(request: HttpRequest, template_id: Id) -> RegulatorReportTemplate:
    _admin(request)
    return layout.get_template(template_id)


@router.patch(f"{PREFIX}/templates/{{template_id}}", response=TemplateOut, summary="Change a template (a new version)")
def update_template(request: HttpRequest, template_id: Id, payload: TemplatePatchIn) -> RegulatorReportTemplate:
    values = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return layout.update_template(_admin(request), template_id, values)


@router.delete(
    f"{PREFIX}/templates/{{template_id}}",
    response=TemplateOut,
    summary="Switch a template off (kept with its versions)",
)
def archive_template(request: HttpRequest, template_id: Id) -> RegulatorReportTemplate:
    return layout.archive_template(_admin(request), template_id)


@router.get(f"{PREFIX}/templates/{{template_id}}/versions", response=list[VersionOut], summary="A template's versions")
def template_versions(request: HttpRequest, template_id: Id) -> Any:
    _admin(request)
    template = layout.get_template(template_id)
    versions = list(template.versions.order_by("number"))
    if not versions:
        raise NotFound(_("Template not found."))
    return versions
