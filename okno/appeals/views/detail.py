"""The appeal page and the fragments that refresh it live (header, timeline,
actions), the category → subcategory options, and attachment downloads."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from okno.appeals import access, delivery, queries
from okno.appeals.choices import STATUS_TRANSITIONS, ApprovalStatus, LinkKind, Outcome, Priority, Status
from okno.appeals.forms import STATUS_AFTER_REPLY, assignable_users
from okno.appeals.models import Appeal, AppealLink, Attachment, Category, Kind
from okno.appeals.services.messages import approval_required
from okno.appeals.views.common import current_user, get_appeal, vary_on_htmx
from okno.catalog.models import Product
from okno.core.auth import login_required
from okno.core.errors import NotFound
from okno.queues.models import Queue


def permissions(request: HttpRequest, appeal: Appeal) -> dict[str, bool]:
    user = current_user(request)
    can_work = access.can(user, access.Action.WORK, appeal)
    return {
        "can_work": can_work,
        "can_cancel": access.can(user, access.Action.CANCEL, appeal),
        "can_approve": access.can(user, access.Action.APPROVE, appeal),
        "can_reply": can_work and not appeal.is_final,
    }


def header_context(request: HttpRequest, appeal: Appeal) -> dict[str, Any]:
    user = current_user(request)
    links = []
    for link in AppealLink.objects.filter(Q(source=appeal) | Q(target=appeal)).select_related("source", "target"):
        other = link.target if link.source_id == appeal.pk else link.source
        links.append(
            {"appeal": other, "kind": link.get_kind_display(), "visible": access.can(user, access.Action.VIEW, other)}
        )
    transitions = [
        (value, label) for value, label in Status.choices if value in STATUS_TRANSITIONS.get(appeal.status, frozenset())
    ]
    return {
        "appeal": appeal,
        "perms": permissions(request, appeal),
        "tags": list(appeal.tags.all()),
        "subcases": [
            s for s in appeal.subcases.order_by("created_at", "id") if access.can(user, access.Action.VIEW, s)
        ],
        "merged_from": [m for m in appeal.merged_appeals.order_by("id") if access.can(user, access.Action.VIEW, m)],
        "links": links,
        "files": list(appeal.attachments.filter(message__isnull=True).order_by("id")),
        "transitions": transitions,
        "is_assignee": appeal.assignee_id == user.pk,
    }


def actions_context(request: HttpRequest, appeal: Appeal) -> dict[str, Any]:
    user = current_user(request)
    category = appeal.category
    parent_category = category.parent if category is not None and category.parent_id else category
    subcategory = category if category is not None and category.parent_id else None
    return {
        "appeal": appeal,
        "perms": permissions(request, appeal),
        "assignees": assignable_users(user, appeal.queue),
        "kinds": Kind.objects.filter(Q(is_active=True) | Q(pk=appeal.kind_id)),
        "categories": Category.objects.filter(parent__isnull=True).filter(
            Q(is_active=True) | Q(pk=getattr(parent_category, "pk", None))
        ),
        "subcategories": Category.objects.filter(parent=parent_category).filter(
            Q(is_active=True) | Q(pk=getattr(subcategory, "pk", None))
        )
        if parent_category is not None
        else Category.objects.none(),
        "current_category": parent_category,
        "current_subcategory": subcategory,
        "products": Product.objects.filter(Q(is_active=True) | Q(pk=appeal.product_id)),
        "queues": Queue.objects.filter(Q(is_active=True) | Q(pk=appeal.queue_id)),
        "priorities": Priority.choices,
        "outcomes": Outcome.choices,
        "link_kinds": LinkKind.choices,
        "tags_text": ", ".join(tag.name for tag in appeal.tags.all()),
    }


def timeline_context(request: HttpRequest, appeal: Appeal) -> dict[str, Any]:
    return {
        "appeal": appeal,
        "perms": permissions(request, appeal),
        "entries": queries.timeline(appeal),
        "pending": ApprovalStatus.PENDING,
        "returned": ApprovalStatus.RETURNED,
    }


def composer_context(request: HttpRequest, appeal: Appeal) -> dict[str, Any]:
    user = current_user(request)
    return {
        "appeal": appeal,
        "perms": permissions(request, appeal),
        "status_after": STATUS_AFTER_REPLY,
        "needs_approval": approval_required(appeal) and not access.can_approve_without_review(user),
        # Other ways to send the reply that channel plug-ins offer (a paper letter).
        "reply_options": [
            {"template": option.template, **option.context(request, appeal)} for option in delivery.reply_options()
        ],
    }


def render_part(request: HttpRequest, name: str, appeal: Appeal, *, oob: bool = False) -> str:
    builders = {
        "header": header_context,
        "actions": actions_context,
        "timeline": timeline_context,
        "composer": composer_context,
    }
    context = {**builders[name](request, appeal), "oob": oob}
    return render_to_string(f"appeals/_{name}.html", context, request=request)


@login_required
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    appeal = get_appeal(request, number)
    context = {
        "appeal": appeal,
        "header": render_part(request, "header", appeal),
        "actions": render_part(request, "actions", appeal),
        "timeline": render_part(request, "timeline", appeal),
        "composer": render_part(request, "composer", appeal),
    }
    return vary_on_htmx(render(request, "appeals/detail.html", context))


def _fragment(name: str) -> Any:
    @login_required
    @require_GET
    def view(request: HttpRequest, number: str) -> HttpResponse:
        appeal = get_appeal(request, number)
        return vary_on_htmx(HttpResponse(render_part(request, name, appeal)))

    view.__name__ = f"{name}_fragment"
    view.__doc__ = f"The appeal's {name}, re-rendered when the appeal changes (server push)."
    return view


header = _fragment("header")
timeline = _fragment("timeline")
actions_panel = _fragment("actions")


@login_required
@require_GET
def subcategories(request: HttpRequest) -> HttpResponse:
    """``<option>``s of the chosen category's subcategories (the dependent select)."""
    raw = request.GET.get("category", "")
    children = (
        Category.objects.filter(parent_id=int(raw), is_active=True) if raw.isdecimal() else Category.objects.none()
    )
    html = render_to_string("appeals/_subcategory_options.html", {"children": children}, request=request)
    return HttpResponse(html)


@login_required
@require_GET
def attachment(request: HttpRequest, attachment_id: int, filename: str) -> FileResponse:
    """A file, to whoever may see its appeal: streamed from private storage as a
    download that the browser must not interpret (nosniff, sandbox)."""
    found = Attachment.objects.filter(pk=attachment_id).values_list("appeal_id", flat=True).first()
    if found is None:
        raise Http404
    try:
        queries.get_visible(current_user(request), pk=found)
    except NotFound:
        raise Http404 from None
    item = Attachment.objects.get(pk=attachment_id)
    try:
        handle = default_storage.open(item.file.name or "", "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=item.filename, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
