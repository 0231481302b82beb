"""The report pages: one page with a tab per report, its filters (htmx swaps the
report as they change), the table with every number a link to the appeals behind
it, the chart, and the XLSX/CSV downloads; the drill-down list; the management
dashboard; saved reports and their schedules. Numbers come from
``services.reports``; views only parse, call and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okno.appeals import queries
from okno.appeals.choices import Channel
from okno.appeals.models import Category, Kind
from okno.appeals.views.common import current_user, is_htmx, vary_on_htmx
from okno.catalog.models import Product
from okno.clients.choices import Segment
from okno.core import downloads
from okno.core.auth import login_required
from okno.core.errors import InvalidInput, NotFound, OknoError
from okno.queues.models import Queue
from okno.reports.choices import Schedule, Weekday
from okno.reports.models import DeliveryRun, SavedReport
from okno.reports.services import dashboard as dashboard_service
from okno.reports.services import export, saved
from okno.reports.services import reports as service
from okno.reports.services.base import Report, require_view
from okno.reports.services.filters import BUCKET_LABELS, PRESET_LABELS, ReportFilters, parse_filters

DRILL_PAGE_SIZE = 50


def _code(request: HttpRequest) -> str:
    code = request.GET.get("report") or "volumes"
    if code not in service.REPORTS:
        raise Http404(_("No such report."))
    return code


def filters_from(data: Any, code: str) -> ReportFilters:
    spec = service.spec_of(code)
    return parse_filters(data, group_choices=tuple(spec.groups))


def _choices(user: Any) -> dict[str, Any]:
    """What the filter selects offer."""
    categories = []
    for parent in Category.objects.filter(parent__isnull=True).prefetch_related("children"):
        categories.append((parent.pk, parent.display_name))
        categories += [(child.pk, f"— {child.display_name}") for child in parent.children.all()]
    return {
        "presets": list(PRESET_LABELS.items()),
        "buckets": list(BUCKET_LABELS.items()),
        "queues": [(q.pk, q.display_name) for q in Queue.objects.all()],
        "channels": list(Channel.choices),
        "kinds": [(k.pk, k.display_name) for k in Kind.objects.filter(is_active=True)],
        "categories": categories,
        "products": [(p.pk, p.display_name) for p in Product.objects.all()],
        "segments": list(Segment.choices),
    }


def _values(request: HttpRequest) -> dict[str, str]:
    return {k: str(request.GET.get(k, "")) for k in request.GET}


def _display(report: Report, code: str) -> dict[str, Any]:
    """The report with a drill-down URL on each clickable number."""
    base = reverse("reports:drill")
    columns = report.columns
    rows = []
    for line in report.all_rows():
        cells = []
        for column in columns:
            key = line.cells.get(column.key)
            url = ""
            if key is not None:
                what = f"{line.label} · {column.label}"
                url = f"{base}?{report.filters.querystring(report=code, cell=key, what=what)}"
            cells.append({"column": column, "value": line.value(column), "url": url})
        rows.append({"line": line, "cells": cells})
    return {"rows": rows}


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    """GET: the page (for htmx, the report region); the filters are query parameters."""
    user = current_user(request)
    require_view(user)
    code = _code(request)
    spec = service.spec_of(code)
    values = _values(request)
    context: dict[str, Any] = {
        "nav_section": "reports",
        "code": code,
        "spec": spec,
        "specs": list(service.REPORTS.values()),
        "values": values,
        "choices": _choices(user),
        "report": None,
        "error": None,
    }
    status = 200
    try:
        flt = filters_from(request.GET, code)
        report = service.run(user, code, flt)
    except InvalidInput as exc:
        context["error"] = exc
        status = 400
    else:
        query = flt.querystring(report=code)
        context.update(
            report=report,
            flt=flt,
            query=query,
            table=_display(report, code),
            chart={"chart": report.chart, "trend": report.trend},
            xlsx_url=f"{reverse('reports:export', args=['xlsx'])}?{query}",
            csv_url=f"{reverse('reports:export', args=['csv'])}?{query}",
            values={
                **values,
                **flt.to_params(),
                "date_from": flt.date_from.isoformat(),
                "date_to": flt.date_to.isoformat(),
            },
        )
    template = "reports/_main.html" if is_htmx(request) else "reports/page.html"
    return vary_on_htmx(render(request, template, context, status=status))


@login_required
@require_GET
def export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    user = current_user(request)
    require_view(user)
    code = _code(request)
    try:
        flt = filters_from(request.GET, code)
    except InvalidInput as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    return file_response(service.run(user, code, flt, **({"limit": None} if code == "overdue" else {})), fmt)


def file_response(report: Report, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        body, content_type = export.to_xlsx(report), downloads.XLSX_TYPE
    elif fmt == "csv":
        body, content_type = export.to_csv(report), export.CSV_TYPE
    else:
        raise Http404(_("Unknown format."))
    return downloads.file_response(body, export.filename(report, fmt), content_type)


@login_required
@require_GET
def drill(request: HttpRequest) -> HttpResponse:
    """The appeals behind one number: the report's filters and the number's cell key."""
    user = current_user(request)
    require_view(user)
    code = _code(request)
    spec = service.spec_of(code)
    try:
        flt = filters_from(request.GET, code)
        qs = service.drill(user, code, flt, request.GET.get("cell", ""))
        raw_page = request.GET.get("page") or "1"
        number = int(raw_page) if raw_page.isdecimal() and len(raw_page) < 10 else 1
        page_ = queries.paginate(
            qs.select_related("client", "queue", "assignee").order_by("-created_at", "-id"), number, DRILL_PAGE_SIZE
        )
    except InvalidInput as exc:
        return render(request, "reports/drill.html", {"error": exc, "spec": spec, "nav_section": "reports"}, status=400)
    back = QueryDict(mutable=True)
    back.update({k: str(request.GET.get(k, "")) for k in request.GET if k not in ("cell", "page", "what")})
    here = request.GET.copy()
    here.pop("page", None)
    return render(
        request,
        "reports/drill.html",
        {
            "nav_section": "reports",
            "spec": spec,
            "flt": flt,
            "page": page_,
            "what": request.GET.get("what", "")[:200],
            "back_url": f"{reverse('reports:page')}?{back.urlencode()}",
            "page_query": here.urlencode(),
        },
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    require_view(user)
    try:
        flt = parse_filters(request.GET, default_period="last_12_months")
    except InvalidInput as exc:
        flt = parse_filters({}, default_period="last_12_months")
        messages.error(request, exc.message)
    data = dashboard_service.build(user, flt)
    return render(
        request,
        "reports/dashboard.html",
        {
            "nav_section": "dashboard",
            "data": data,
            "flt": flt,
            "presets": list(PRESET_LABELS.items()),
            "chart": data.charts(),
        },
    )


# --- saved reports ------------------------------------------------------------------------------


@login_required
@require_GET
def saved_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    require_view(user)
    # The last five deliveries of each, not every delivery since it was saved (a daily
    # report gathers hundreds a year): a sliced prefetch is one windowed query.
    recent = Prefetch("runs", queryset=DeliveryRun.objects.order_by("-started_at", "-id")[:5], to_attr="recent_runs")
    items = list(saved.visible_saved(user).select_related("owner").prefetch_related(recent))
    for item in items:
        item.open_url = f"{reverse('reports:page')}?{saved.querystring(item)}"  # type: ignore[attr-defined]
    return render(request, "reports/saved_list.html", {"nav_section": "reports", "items": items})


@login_required
@require_POST
def saved_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    code = request.POST.get("report", "")
    try:
        filters = (
            filters_from(QueryDict(request.POST.get("query", "")), code).to_params() if code in service.REPORTS else {}
        )
        item = saved.create(user, name=request.POST.get("name", ""), report=code, filters=filters)
    except OknoError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(f"{reverse('reports:page')}?{request.POST.get('query', '')}")
    messages.success(request, _("Report “%(name)s” saved.") % {"name": item.name})
    return HttpResponseRedirect(reverse("reports:saved_edit", args=[item.pk]))


def _saved_or_404(user: Any, pk: int) -> SavedReport:
    try:
        return saved.get(user, pk)
    except NotFound:
        raise Http404(_("No such saved report.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def saved_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    item = _saved_or_404(user, pk)
    error: OknoError | None = None
    if request.method == "POST":
        try:
            saved.update(
                user,
                item,
                name=request.POST.get("name", ""),
                recipients=request.POST.get("recipients", ""),
                schedule=request.POST.get("schedule", Schedule.OFF),
                weekday=request.POST.get("weekday") or None,
                day_of_month=request.POST.get("day_of_month") or None,
                send_hour=request.POST.get("send_hour") or 8,
            )
        except OknoError as exc:
            error = exc
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("reports:saved"))
    return render(
        request,
        "reports/saved_edit.html",
        {
            "nav_section": "reports",
            "item": item,
            "error": error,
            "schedules": list(Schedule.choices),
            "weekdays": list(Weekday.choices),
            "hours": list(range(24)),
            "days": list(range(1, 32)),
            "recipients": request.POST.get("recipients") if error else "\n".join(item.recipients),
            "runs": list(item.runs.all()[:20]),
            "open_url": f"{reverse('reports:page')}?{saved.querystring(item)}",
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def saved_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    item = _saved_or_404(user, pk)
    saved.delete(user, item)
    messages.success(request, _("Report “%(name)s” deleted.") % {"name": item.name})
    return HttpResponseRedirect(reverse("reports:saved"))


@login_required
@require_POST
def saved_send(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    item = _saved_or_404(user, pk)
    try:
        run = saved.send_now(user, item)
    except PermissionDenied:
        raise
    except OknoError as exc:
        messages.error(request, exc.message)
    else:
        if run.ok:
            messages.success(request, _("Sent to %(count)s recipients.") % {"count": len(run.recipients)})
        else:
            messages.error(request, _("Not sent: %(error)s") % {"error": run.error})
    return HttpResponseRedirect(reverse("reports:saved"))
