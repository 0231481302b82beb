"""Pages of the post: the "to post" list (/post/), a letter, registries, printing,
and the administrators' settings (/settings/post/). Each view validates, calls one
service and answers; refusals become a message and the page stays as it was."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okno.accounts.models import User
from okno.accounts.services import is_admin
from okno.channels.post.choices import LetterStatus, RegistryStatus
from okno.channels.post.forms import LetterForm, SettingsForm
from okno.channels.post.models import PaperLetter, PostSettings
from okno.channels.post.services import documents, letters, registries
from okno.channels.post.services.access import can_use_post, handles_post, visible_batches, visible_letters
from okno.channels.post.services.settings import update_settings
from okno.core.auth import login_required
from okno.core.downloads import PDF_TYPE, XLSX_TYPE, file_response
from okno.core.errors import NotFound, OknoError

PAGE = 300
STATUS_FILTERS = [
    ("waiting", gettext_lazy("Waiting to be posted")),
    *LetterStatus.choices,
    ("all", gettext_lazy("All")),
]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _require_post_user(request: HttpRequest) -> User:
    user = _user(request)
    if not can_use_post(user):
        raise PermissionDenied
    return user


def _run(request: HttpRequest, call: Callable[[], Any], success: str = "") -> Any:
    """The service's result, or None with its refusal shown as a message."""
    try:
        result = call()
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
        return None
    except OknoError as exc:
        messages.error(request, exc.message)
        return None
    if success:
        messages.success(request, success)
    return result


def _ids(request: HttpRequest) -> list[int]:
    return [int(v) for v in request.POST.getlist("ids") if v.isdecimal()][:5000]


def _pdf(content: bytes, filename: str) -> HttpResponse:
    return file_response(content, filename, PDF_TYPE, inline=True)


# --- the "to post" list ----------------------------------------------------------------


@login_required
@require_GET
def letter_list(request: HttpRequest) -> HttpResponse:
    user = _require_post_user(request)
    status = request.GET.get("status", "waiting")
    query = request.GET.get("q", "").strip()[:100]
    qs = visible_letters(user).select_related("appeal", "author", "registry")
    if status == "waiting":
        qs = qs.filter(status__in=LetterStatus.waiting_values())
    elif status in LetterStatus.values:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(
            Q(appeal__number__icontains=query)
            | Q(addressee__icontains=query)
            | Q(postcode=query)
            | Q(tracking_number=query)
        )
    total = qs.count()
    rows = list(qs.order_by("created_at", "id")[:PAGE])
    context = {
        "nav_section": "post",
        "rows": rows,
        "total": total,
        "page": PAGE,
        "status": status,
        "query": query,
        "filters": STATUS_FILTERS,
        "handles_post": handles_post(user),
        "batches": list(visible_batches(user).select_related("created_by")[:15]),
        "waiting_statuses": LetterStatus.waiting_values(),
    }
    return render(request, "post/letters.html", context)


@login_required
@require_POST
def print_letters(request: HttpRequest) -> HttpResponse:
    """The chosen letters (or all "to print") as one PDF; they move to "to post"."""
    user = _require_post_user(request)
    qs = visible_letters(user)
    ids = _ids(request)
    qs = qs.filter(pk__in=ids) if ids else qs.filter(status=LetterStatus.TO_PRINT)
    chosen = documents.letters_for_print(qs.exclude(status=LetterStatus.DRAFT))
    if not chosen:
        messages.info(request, _("There is nothing to print."))
        return redirect("post:letters")
    content = documents.letters_pdf(chosen)
    letters.mark_printed(user, [letter.pk for letter in chosen])
    return _pdf(content, "letters.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_post_user(request)
    try:
        letter = letters.get_letter(user, pk)
    except NotFound:
        raise Http404 from None
    form = LetterForm(
        request.POST or None,
        initial={f: getattr(letter, f) for f in (*letters.EDITABLE, *letters.NUMBERS)},
    )
    if request.method == "POST":
        if form.is_valid():
            done = _run(request, lambda: letters.update_letter(user, pk, dict(form.cleaned_data)), _("Letter saved."))
            if done is not None:
                if done.tracking_warning:
                    messages.warning(request, done.tracking_warning)
                return redirect("post:letter", pk)
        else:
            messages.error(request, _("Check the fields marked in red."))
    return render(
        request,
        "post/letter.html",
        {
            "nav_section": "post",
            "letter": letter,
            "form": form,
            "editable": letter.status not in (LetterStatus.POSTED, LetterStatus.RETURNED),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """A preview of one letter (printing from the list marks it printed)."""
    user = _require_post_user(request)
    found = documents.letters_for_print(visible_letters(user).filter(pk=pk))
    if not found:
        raise Http404
    return _pdf(documents.letters_pdf(found), f"letter-{found[0].appeal.number}.pdf")


@login_required
@require_POST
def letter_returned(request: HttpRequest, pk: int) -> HttpResponse:
    _run(
        request,
        lambda: letters.mark_returned(_user(request), pk, comment=request.POST.get("comment", "")[:500]),
        _("The letter is marked as returned."),
    )
    return redirect("post:letter", pk)


# --- registries ---------------------------------------------------------------------------


@login_required
@require_POST
def registry_form(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    ids = None if request.POST.get("all") else _ids(request)
    batch = _run(request, lambda: registries.form_registry(user, ids))
    if batch is None:
        return redirect(reverse("post:letters"))
    messages.success(
        request,
        _("Registry formed: %(letters)s letters on %(lists)s lists.")
        % {"letters": batch.letter_count, "lists": batch.lists.count()},
    )
    return redirect("post:registry", batch.pk)


def _batch(request: HttpRequest, pk: int) -> Any:
    try:
        return registries.get_batch(_user(request), pk)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def registry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    lists = []
    for registry in batch.lists.order_by("number"):
        rows = list(PaperLetter.objects.filter(registry=registry).select_related("appeal").order_by("position"))
        lists.append({"registry": registry, "rows": rows})
    return render(
        request,
        "post/registry.html",
        {"nav_section": "post", "batch": batch, "lists": lists, "formed": batch.status == RegistryStatus.FORMED},
    )


@login_required
@require_GET
def registry_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    return _pdf(documents.registry_pdf(batch), documents.registry_filename(batch, "pdf"))


@login_required
@require_GET
def registry_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    return file_response(documents.registry_xlsx(batch), documents.registry_filename(batch, "xlsx"), XLSX_TYPE)


@login_required
@require_POST
def registry_post(request: HttpRequest, pk: int) -> HttpResponse:
    _run(request, lambda: registries.post_registry(_user(request), pk), _("Registry posted: the replies are sent."))
    return redirect("post:registry", pk)


@login_required
@require_POST
def registry_undo(request: HttpRequest, pk: int) -> HttpResponse:
    done = _run(
        request, lambda: registries.undo_registry(_user(request), pk), _("Registry undone: its letters wait again.")
    )
    return redirect("post:letters" if done is not None else "post:registry", *([] if done is not None else [pk]))


# --- settings -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not is_admin(user):
        raise PermissionDenied
    conf = PostSettings.load()
    form = SettingsForm(request.POST or None, instance=conf)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changes = {f: form.cleaned_data[f] for f in form.fields}
            if _run(request, lambda: update_settings(user, changes), _("Post settings saved.")) is not None:
                return redirect("post_settings:index")
        else:
            messages.error(request, _("Check the fields marked in red."))
        status = 400
    return render(
        request, "post/settings.html", {"nav_section": "post_settings", "form": form, "conf": conf}, status=status
    )
