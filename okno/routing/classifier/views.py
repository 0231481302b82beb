"""Administrators' page of the classifier, /settings/classifier/: the model versions
per target with their figures, activate and roll back, "Train now" with its state,
and each queue's threshold for applying suggestions automatically."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okno.accounts.models import User
from okno.accounts.services import is_admin
from okno.core.auth import login_required
from okno.core.errors import NotFound, OknoError
from okno.queues.models import Queue
from okno.routing.classifier.models import ClassifierModel, Target
from okno.routing.classifier.services import learning, store, targets, thresholds
from okno.routing.classifier.services.features import FEATURES

REGION = "classifier-region"


def _admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may train, activate or roll back classifier models."))
    return user


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _shown(request: HttpRequest, models: list[ClassifierModel]) -> dict[str, ClassifierModel]:
    """Per target, the model whose figures are shown: the one asked for (``?model=``),
    else the active one, else the newest."""
    wanted = request.GET.get("model", "")
    shown: dict[str, ClassifierModel] = {}
    for model in models:  # newest first per target
        if str(model.pk) == wanted:
            shown[model.target] = model
    for model in models:
        if model.target not in shown and model.is_active:
            shown[model.target] = model
    for model in models:
        shown.setdefault(model.target, model)
    return shown


def _names(model: ClassifierModel) -> dict[str, str]:
    """Class label → how it reads now (the row's display name; the stored name if gone)."""
    names = {str(c.get("label")): str(c.get("name", c.get("label"))) for c in (model.metrics or {}).get("classes", [])}
    values = [label.get("value") for label in model.labels or [] if isinstance(label.get("value"), int)]
    rows = targets.target_model(model.target)._default_manager.filter(pk__in=values)
    names.update({str(row.pk): str(row.display_name) for row in rows})
    return names


def _chart(model: ClassifierModel, names: dict[str, str]) -> dict[str, Any]:
    classes = sorted((model.metrics or {}).get("classes", []), key=lambda c: -c.get("support", 0))
    return {
        "labels": [names.get(str(c.get("label")), str(c.get("label"))) for c in classes],
        "f1": [round(100 * float(c.get("f1", 0)), 1) for c in classes],
        "support": [c.get("support", 0) for c in classes],
    }


def _confusion(model: ClassifierModel, names: dict[str, str]) -> dict[str, Any]:
    confusion = (model.metrics or {}).get("confusion") or {}
    labels = [str(label) for label in confusion.get("labels", [])]
    return {
        "columns": [names.get(label, label) for label in labels],
        "rows": [
            {"name": names.get(label, label), "cells": row, "correct": i}
            for i, (label, row) in enumerate(zip(labels, confusion.get("matrix", []), strict=False))
        ],
    }


def _context(request: HttpRequest) -> dict[str, Any]:
    models = list(store.versions())
    shown = _shown(request, models)
    names = {target: _names(model) for target, model in shown.items()}
    groups = []
    for target, label in Target.choices:
        versions = [m for m in models if m.target == target]
        if not versions and target != Target.CATEGORY:
            continue
        model = shown.get(target)
        active = next((m for m in versions if m.is_active), None)
        groups.append(
            {
                "target": target,
                "label": label,
                "versions": versions,
                "shown": model,
                "confusion": _confusion(model, names[target]) if model is not None else None,
                "can_roll_back": active is not None
                and any(m.version < active.version and m.activated_at for m in versions),
            }
        )
    last = learning.last_training()
    return {
        "nav_section": "classifier",
        "groups": groups,
        "chart": {
            "targets": {target: _chart(model, names[target]) for target, model in shown.items()},
            "text": {"f1": _("F1, %"), "support": _("examples held out")},
        },
        "training": last,
        "training_pending": last is not None and last.status in ("READY", "RUNNING"),
        "targets": Target.choices,
        "features": FEATURES,
        "min_examples": learning.min_examples(),
    }


def _region(request: HttpRequest, status: int = 200) -> HttpResponse:
    html = render_to_string("classifier/_region.html", _context(request), request=request)
    html += render_to_string("_messages_oob.html", {}, request=request)
    return HttpResponse(html, status=status)


def _act(request: HttpRequest, call: Callable[[], Any], success: Callable[[Any], str]) -> HttpResponse:
    status = 200
    try:
        result = call()
    except OknoError as exc:
        messages.error(request, exc.message)
        status = exc.status_code
    else:
        messages.success(request, success(result))
    if _is_htmx(request):
        return _region(request, status)
    return redirect("classifier:page")


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    _admin(request)
    if _is_htmx(request) and request.headers.get("HX-Target") == REGION:
        response = _region(request)
    else:
        context = _context(request)
        context["queues"] = thresholds.queue_thresholds()
        response = render(request, "classifier/page.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def activate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _admin(request)
    try:
        model = store.get(pk)
    except NotFound:
        raise Http404(_("Classifier model not found.")) from None
    return _act(
        request,
        lambda: store.activate(user, model),
        lambda m: _("Version %(version)s is active now.") % {"version": m.version},
    )


@login_required
@require_POST
def rollback(request: HttpRequest, target: str) -> HttpResponse:
    user = _admin(request)
    return _act(
        request,
        lambda: store.rollback(user, target),
        lambda m: _("Rolled back: version %(version)s is active again.") % {"version": m.version},
    )


@login_required
@require_POST
def train(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    return _act(
        request,
        lambda: learning.enqueue_training(
            user, request.POST.get("target") or Target.CATEGORY, request.POST.get("features") or None
        ),
        lambda _task: _("Training started. The new version appears here when it is done."),
    )


@login_required
@require_POST
def threshold(request: HttpRequest, queue_id: int) -> HttpResponse:
    user = _admin(request)
    queue = Queue.objects.filter(pk=queue_id).first()
    if queue is None:
        raise Http404(_("Queue not found."))
    status = 200
    try:
        routing = thresholds.set_threshold(user, queue, request.POST.get("threshold", "").strip().replace(",", "."))
        value = routing.auto_apply_threshold
    except OknoError as exc:
        messages.error(request, exc.message)
        status = exc.status_code
        value = thresholds.current(queue)
    else:
        messages.success(request, _("Threshold of the queue “%(queue)s” saved.") % {"queue": queue.display_name})
    if not _is_htmx(request):
        return redirect("classifier:page")
    html = render_to_string("classifier/_threshold_row.html", {"queue": queue, "value": value}, request=request)
    html += render_to_string("_messages_oob.html", {}, request=request)
    return HttpResponse(html, status=status)
