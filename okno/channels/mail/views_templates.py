"""The acknowledgement templates, /settings/mail/templates/: what a client gets when
their mail becomes an appeal, in Russian and English, with a preview on sample data.
Every change goes through ``services.mailboxes``."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okno.accounts.models import User
from okno.appeals.views.common import is_htmx
from okno.channels.mail.forms import TemplateForm, template_initial
from okno.channels.mail.models import AcknowledgementTemplate, Mailbox
from okno.channels.mail.services import mailboxes as services
from okno.channels.mail.views import admin_user
from okno.core.auth import login_required
from okno.core.errors import InvalidInput, OknoError
from okno.core.forms import save_through_service


def _template(pk: int) -> AcknowledgementTemplate:
    found = AcknowledgementTemplate.objects.filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such acknowledgement template."))
    return found


@login_required
@require_GET
def templates(request: HttpRequest) -> HttpResponse:
    admin_user(request)
    rows = list(AcknowledgementTemplate.objects.order_by("name"))
    users: dict[int, list[str]] = {}
    for template_id, name in Mailbox.objects.filter(acknowledgement_template__isnull=False).values_list(
        "acknowledgement_template_id", "name"
    ):
        users.setdefault(template_id, []).append(name)
    first = AcknowledgementTemplate.objects.order_by("id").values_list("id", flat=True).first()
    without = Mailbox.objects.filter(acknowledgement_template__isnull=True).aggregate(n=Count("id"))["n"]
    context = {
        "nav_section": "mail",
        "rows": [(t, users.get(t.pk, []), t.pk == first) for t in rows],
        "without": without,
        "variables": services.VARIABLES,
    }
    return render(request, "mail/templates.html", context)


def _form_page(
    request: HttpRequest, form: TemplateForm, template: AcknowledgementTemplate | None, status: int = 200
) -> HttpResponse:
    context = {"nav_section": "mail", "form": form, "template": template, "variables": services.VARIABLES}
    return render(request, "mail/template_form.html", context, status=status)


def _save(request: HttpRequest, user: User, template: AcknowledgementTemplate | None) -> HttpResponse:
    form = TemplateForm(request.POST)

    def save() -> str:
        if template is None:
            saved = services.create_template(user, form.values())
            return _("The template “%(name)s” is added.") % {"name": saved.name}
        saved = services.update_template(user, template, form.values())
        return _("The template “%(name)s” is saved.") % {"name": saved.name}

    return save_through_service(request, form, save, "mail:templates") or _form_page(request, form, template, 400)


@login_required
@require_http_methods(["GET", "POST"])
def template_new(request: HttpRequest) -> HttpResponse:
    user = admin_user(request)
    if request.method == "POST":
        return _save(request, user, None)
    return _form_page(request, TemplateForm(initial=services.DEFAULT_TEMPLATE | {"name": ""}), None)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin_user(request)
    template = _template(pk)
    if request.method == "POST":
        return _save(request, user, template)
    return _form_page(request, TemplateForm(initial=template_initial(template)), template)


@login_required
@require_POST
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = admin_user(request)
    template = _template(pk)
    try:
        services.delete_template(user, template)
    except OknoError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The template “%(name)s” is deleted.") % {"name": template.name})
    if is_htmx(request):  # the button asked first (data-confirm); the page reloads with the message
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("mail:templates")
        return response
    return redirect("mail:templates")


@login_required
@require_POST
def template_preview(request: HttpRequest) -> HttpResponse:
    """The form's texts rendered with sample data, in both languages (htmx)."""
    admin_user(request)
    previews = []
    problem = ""
    try:
        for language in ("ru", "en"):
            subject, body = services.preview(request.POST, language)
            previews.append({"language": language, "subject": subject, "body": body})
    except InvalidInput as exc:
        field = TemplateForm.base_fields.get(exc.field or "")
        problem = f"{field.label}: {exc.message}" if field is not None else exc.message
    return render(request, "mail/_template_preview.html", {"previews": previews, "problem": problem})
