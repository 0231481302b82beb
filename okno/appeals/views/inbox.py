"""The inbox: filters, the table (re-rendered by htmx on change and on server push),
the sidebar with counts, column choice and bulk actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from okno.accounts import services as account_services
from okno.accounts.models import User
from okno.appeals import access, listing, queries, services
from okno.appeals.choices import Channel, Outcome, Priority, Status
from okno.appeals.forms import BulkForm, assignable_users, form_errors
from okno.appeals.models import Category, Kind
from okno.appeals.views.common import current_user, is_htmx, messages_oob, vary_on_htmx
from okno.core.auth import login_required
from okno.core.errors import InvalidInput, OknoError
from okno.queues.models import Queue

RESULTS_ID = "inbox-results"


# Lists longer than this say "more than 10 000" instead of counting every row.
INBOX_COUNT_CAP = 10_000


def _stored_state(request: HttpRequest, params: QueryDict | None) -> listing.InboxState:
    """The state a request asks for; with no parameters, the one the user left."""
    user = current_user(request)
    stored = account_services.list_settings(user, listing.LIST_NAME)
    source: Any = params if params else listing.remembered_params(stored)
    return listing.parse(source, user, columns=stored.columns)


def _results(request: HttpRequest, state: listing.InboxState, *, extra: str = "", status: int = 200) -> HttpResponse:
    return vary_on_htmx(HttpResponse(_results_html(request, state) + extra, status=status))


def _results_html(request: HttpRequest, state: listing.InboxState) -> str:
    """The table fragment. Its queries do not grow with the page: rows come with
    their references from ``list_appeals``, tags in one more query."""
    user = current_user(request)
    try:
        rows = queries.list_appeals(user, state.flt, state.sort).prefetch_related("tags")
        page = queries.paginate(rows, state.page, state.page_size, count_cap=INBOX_COUNT_CAP)
    except InvalidInput as exc:
        state.errors.append(exc.message)
        page = queries.Page(items=[], number=1, size=state.page_size, total=0)
    context = {
        "state": state,
        "page": page,
        "columns": [(name, listing.COLUMNS[name]) for name in state.columns],
        "bulk_users": assignable_users(user),
        "outcomes": Outcome.choices,
        "can_work": access.can_register(user),
    }
    return render_to_string("appeals/_inbox_results.html", context, request=request)


def _sidebar_context(user: User, state: listing.InboxState) -> dict[str, Any]:
    open_counts = queries.open_counts(user)
    counts = open_counts.per_queue
    vis = access.visibility(user)
    queues = Queue.objects.filter(is_active=True) if vis.sees_all else Queue.objects.filter(pk__in=vis.queue_ids)
    listed = list(queues.order_by("position", "name"))
    known = {queue.pk for queue in listed}
    extra_ids = [pk for pk in counts if pk is not None and pk not in known]
    if extra_ids:
        listed += list(Queue.objects.filter(pk__in=extra_ids).order_by("position", "name"))

    def link(**params: list[str]) -> str:
        qd = QueryDict(mutable=True)
        for name, values in params.items():
            qd.setlist(name, values)
        qd["sort"] = state.sort
        qd["page_size"] = str(state.page_size)
        return f"{reverse('appeals:inbox')}?{qd.urlencode()}"

    current = {name: sorted(values) for name, values in state.params.items() if name != "q"}
    entries = [
        ("all", _("All open"), "bi-inbox", {"status": [queries.OPEN]}, open_counts.total),
        (
            "mine",
            _("My appeals"),
            "bi-person-check",
            {"status": [queries.OPEN], "assignee": ["me"]},
            open_counts.mine,
        ),
        (
            "unassigned",
            _("Unassigned"),
            "bi-person-dash",
            {"status": [queries.OPEN], "assignee": ["none"]},
            open_counts.unassigned,
        ),
        ("overdue", _("Overdue"), "bi-alarm", {"deadline": ["overdue"]}, open_counts.overdue),
        ("due_today", _("Due today"), "bi-hourglass-split", {"deadline": ["due_today"]}, open_counts.due_today),
        ("at_risk", _("At risk"), "bi-exclamation-triangle", {"deadline": ["at_risk"]}, open_counts.at_risk),
    ]
    shortcuts = [
        {
            "key": key,
            "label": label,
            "icon": icon,
            "url": link(**params),
            "count": n,
            "active": current == {k: sorted(v) for k, v in params.items()},
        }
        for key, label, icon, params, n in entries
    ]
    queue_links = [
        {
            "label": queue.display_name,
            "url": link(status=[queries.OPEN], queue=[str(queue.pk)]),
            "count": counts.get(queue.pk, 0),
            "active": current == {"status": [queries.OPEN], "queue": [str(queue.pk)]},
        }
        for queue in listed
    ]
    if counts.get(None):
        queue_links.append(
            {
                "label": _("No queue"),
                "url": link(status=[queries.OPEN], queue=["none"]),
                "count": counts[None],
                "active": current == {"status": [queries.OPEN], "queue": ["none"]},
            }
        )
    return {"shortcuts": shortcuts, "queue_links": queue_links, "state": state}


def _filter_choices(user: User) -> dict[str, Any]:
    vis = access.visibility(user)
    queues = Queue.objects.filter(is_active=True) if vis.sees_all else Queue.objects.filter(pk__in=vis.queue_ids)
    return {
        "statuses": Status.choices,
        "open_value": queries.OPEN,
        "queues": queues.order_by("position", "name"),
        "sees_all": vis.sees_all,
        "users": assignable_users(user),
        "channels": Channel.choices,
        "kinds": Kind.objects.filter(is_active=True),
        "priorities": Priority.choices,
        "categories": Category.objects.filter(parent__isnull=True, is_active=True).prefetch_related(
            Prefetch("children", queryset=Category.objects.filter(is_active=True))
        ),
        "sorts": list(queries.SORT_LABELS.items()),
        "deadline_choices": list(queries.DEADLINE_LABELS.items()),
        "page_sizes": listing.PAGE_SIZES,
        "all_columns": list(listing.COLUMNS.items()),
    }


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The inbox page; on a filter change (htmx) just the table. Opened bare, it
    shows what the user left; a change made through the filters (they always
    carry a sort) is remembered."""
    user = current_user(request)
    if request.GET.get("reset"):
        account_services.forget_list_settings(user, listing.LIST_NAME)
        return redirect("appeals:inbox")
    state = _stored_state(request, request.GET)
    if "sort" in request.GET:
        account_services.save_list_settings(user, listing.LIST_NAME, state.remembered())
    htmx = getattr(request, "htmx", None)
    if is_htmx(request) and htmx is not None and htmx.target == RESULTS_ID:
        response = _results(request, state)
        # The address bar shows the filter without the form's empty fields.
        response["HX-Push-Url"] = f"{reverse('appeals:inbox')}?{state.page_querystring}"
        return response
    context = {
        "nav_section": "inbox",
        "state": state,
        **_filter_choices(user),
        **_sidebar_context(user, state),
    }
    response = render(request, "appeals/inbox.html", {**context, "results": _results_html(request, state)})
    return vary_on_htmx(response)


@login_required
@require_GET
def inbox_table(request: HttpRequest) -> HttpResponse:
    """Only the table, for the live refresh: reads, never remembers."""
    return _results(request, _stored_state(request, request.GET))


@login_required
@require_GET
def inbox_sidebar(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    state = _stored_state(request, request.GET)
    html = render_to_string("appeals/_inbox_sidebar.html", _sidebar_context(user, state), request=request)
    return vary_on_htmx(HttpResponse(html))


@login_required
@require_POST
def inbox_columns(request: HttpRequest) -> HttpResponse:
    """Save the chosen columns; the filters come along (hx-include) to redraw the table."""
    user = current_user(request)
    columns = listing.clean_columns(request.POST.getlist("columns"))
    account_services.save_list_settings(user, listing.LIST_NAME, {"columns": columns})
    if not is_htmx(request):
        return redirect("appeals:inbox")
    state = listing.parse(request.POST, user, columns=columns)
    return _results(request, state)


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Assign or close the ticked appeals, one service call each; what failed is
    reported appeal by appeal, what succeeded stays done."""
    user = current_user(request)
    state = _stored_state(request, QueryDict(request.POST.get("next", "")))
    form = BulkForm(request.POST)
    status = 200
    if not form.is_valid():
        messages.error(request, form_errors(form))
        status = 400
    else:
        status = _run_bulk(request, user, form.cleaned_data)
    if not is_htmx(request):
        return redirect(f"{reverse('appeals:inbox')}?{state.querystring}")
    return _results(request, state, extra=messages_oob(request), status=status)


def _run_bulk(request: HttpRequest, user: User, data: dict[str, Any]) -> int:
    ids: list[int] = data["ids"]
    numbers = dict(queries.list_appeals(user).filter(pk__in=ids).values_list("pk", "number"))
    assignee: User | None = None
    if data["action"] == "assign":
        choice = data["assignee"]
        if choice == "me":
            assignee = user
        elif choice != "none":
            assignee = User.objects.filter(pk=int(choice), is_active=True).first()
            if assignee is None:
                messages.error(request, _("That person is not an active user."))
                return 400
    failures: list[str] = []
    done = 0
    for appeal_id in ids:
        try:
            if data["action"] == "assign":
                services.assign(user, appeal_id, assignee, comment=data.get("comment") or "")
            else:
                services.close(user, appeal_id, data["outcome"], comment=data.get("comment") or "")
        except (OknoError, PermissionDenied) as exc:
            reason = exc.message if isinstance(exc, OknoError) else (str(exc) or _("You may not do this."))
            failures.append(f"{numbers.get(appeal_id, f'#{appeal_id}')}: {reason}")
        else:
            done += 1
    if done:
        text = (
            ngettext("%(n)s appeal assigned.", "%(n)s appeals assigned.", done)
            if data["action"] == "assign"
            else ngettext("%(n)s appeal closed.", "%(n)s appeals closed.", done)
        )
        messages.success(request, text % {"n": done})
    if failures:
        messages.error(
            request,
            ngettext(
                "%(n)s appeal was not changed: %(list)s", "%(n)s appeals were not changed: %(list)s", len(failures)
            )
            % {"n": len(failures), "list": "; ".join(failures)},
        )
    return 200 if done or not failures else 409
