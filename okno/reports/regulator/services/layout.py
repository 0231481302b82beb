"""Regulator report templates: checking, saving (a version per change) and
rendering the layout an administrator adapted.

The PDF body is a Django template compiled by the sandboxed engine
(:mod:`okno.reports.regulator.sandbox`); a syntax error, a refused tag or an
unknown tag library is reported with its line. The workbook's layout is an
ordered list of sections::

    [{"section": "channels", "title": "Поступившие обращения по каналам", "sheet": "Каналы"}, …]

``section`` is one of :data:`SECTIONS`; ``title`` heads the table; ``sheet`` is the
worksheet it goes on (sections naming the same sheet follow each other on it).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okno.accounts.models import User
from okno.accounts.services import is_admin
from okno.core.errors import InvalidInput, NotFound, PermissionDenied
from okno.reports.regulator.defaults import DEFAULT_CODE, default_values
from okno.reports.regulator.models import Layout, RegulatorReportTemplate, RegulatorReportTemplateVersion
from okno.reports.regulator.sandbox import engine

SECTIONS = {
    "summary": gettext_lazy("Summary"),
    "channels": gettext_lazy("Received by channel"),
    "topics": gettext_lazy("Received by topic"),
    "outcomes": gettext_lazy("Outcomes"),
    "deadlines": gettext_lazy("Answered on time and late, by deadline regime"),
    "forwarded": gettext_lazy("Forwarded by the regulator"),
}
SECTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "maxItems": 30,
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["section"],
        "properties": {
            "section": {"type": "string", "enum": list(SECTIONS)},
            "title": {"type": "string", "maxLength": 200},
            "sheet": {"type": "string", "minLength": 1, "maxLength": 31, "pattern": r"^[^\[\]:*?/\\]+$"},
        },
    },
}
MAX_SOURCE = 200_000
MAX_STYLE = 50_000
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
FIELDS = ("name", "regulator", "body_source", "style", "landscape", "sections")


def require_admin(user: User) -> None:
    if not is_admin(user):
        raise PermissionDenied(_("Only administrators may change regulator report templates."))


def validate_sections(value: Any) -> list[dict[str, str]]:
    """The workbook's sections checked against :data:`SECTIONS_SCHEMA` and normalised
    (a missing title is the section's name, a missing sheet is the title cut to 31
    characters). Raises ``InvalidInput`` naming the item."""
    field = "sections"
    if not isinstance(value, list) or not value:
        raise InvalidInput(_("Give the workbook's sections as a non-empty list."), field=field)
    if len(value) > SECTIONS_SCHEMA["maxItems"]:
        raise InvalidInput(_("At most %(n)d sections.") % {"n": SECTIONS_SCHEMA["maxItems"]}, field=field)
    out: list[dict[str, str]] = []
    for index, item in enumerate(value, start=1):

        def bad(message: str, index: int = index) -> InvalidInput:
            return InvalidInput(_("Section %(n)d: %(error)s") % {"n": index, "error": message}, field=field)

        if not isinstance(item, dict):
            raise bad(_("must be an object with “section”, “title” and “sheet”."))
        unknown = sorted(set(item) - {"section", "title", "sheet"})
        if unknown:
            raise bad(_("unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)})
        section = item.get("section")
        if section not in SECTIONS:
            raise bad(_("“section” must be one of: %(known)s.") % {"known": ", ".join(SECTIONS)})
        title = item.get("title", "")
        sheet = item.get("sheet", "")
        if not isinstance(title, str) or not isinstance(sheet, str):
            raise bad(_("“title” and “sheet” must be text."))
        title = " ".join(title.split()) or str(SECTIONS[section])
        if len(title) > 200:
            raise bad(_("the title is at most 200 characters long."))
        sheet = " ".join(sheet.split()) or title[:31].strip()
        if len(sheet) > 31:
            raise bad(_("a sheet name is at most 31 characters long."))
        if _SHEET_BAD.search(sheet) or sheet.startswith("'") or sheet.endswith("'"):
            raise bad(_("a sheet name cannot contain [ ] : * ? / \\ or start or end with an apostrophe."))
        out.append({"section": section, "title": title, "sheet": sheet})
    return out


def compile_body(source: str) -> Template:
    """The PDF body compiled by the sandboxed engine; a refused or broken tag is an
    ``InvalidInput`` that names the line."""
    if not isinstance(source, str) or not source.strip():
        raise InvalidInput(_("The template must not be empty."), field="body_source")
    if len(source) > MAX_SOURCE:
        raise InvalidInput(_("The template is at most %(n)d characters long.") % {"n": MAX_SOURCE}, field="body_source")
    try:
        return engine().from_string(source)
    except TemplateSyntaxError as exc:
        line = getattr(exc, "template_debug", {}).get("line")
        message = str(exc).splitlines()[0] if str(exc) else _("Syntax error.")
        if "is not a registered tag library" in str(exc):
            message = _("Only these tag libraries may be loaded: i18n, humanize.")
        raise InvalidInput(
            _("Line %(line)s: %(error)s") % {"line": line or "?", "error": message}, field="body_source"
        ) from None


def validate_style(style: str) -> str:
    style = style or ""
    if len(style) > MAX_STYLE:
        raise InvalidInput(_("The style sheet is at most %(n)d characters long.") % {"n": MAX_STYLE}, field="style")
    if "</" in style or "<!" in style:
        raise InvalidInput(_("The style sheet cannot contain HTML."), field="style")
    return style


def clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every layout field checked and normalised."""
    name = " ".join(str(values.get("name") or "").split())
    if not name:
        raise InvalidInput(_("Give the template a name."), field="name")
    regulator = " ".join(str(values.get("regulator") or "").split())
    if not regulator:
        raise InvalidInput(_("Name the regulator."), field="regulator")
    if len(name) > 200 or len(regulator) > 200:
        raise InvalidInput(
            _("Names are at most 200 characters long."), field="name" if len(name) > 200 else "regulator"
        )
    body = str(values.get("body_source") or "").replace("\r\n", "\n")
    compile_body(body)
    return {
        "name": name,
        "regulator": regulator,
        "body_source": body,
        "style": validate_style(str(values.get("style") or "").replace("\r\n", "\n")),
        "landscape": bool(values.get("landscape")),
        "sections": validate_sections(values.get("sections")),
    }


def _code(name: str) -> str:
    from django.utils.text import slugify

    base = (slugify(name) or "template")[:50]
    code, n = base, 1
    while RegulatorReportTemplate.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _snapshot(template: RegulatorReportTemplate, actor: User | None) -> RegulatorReportTemplateVersion:
    return RegulatorReportTemplateVersion.objects.create(
        template=template,
        number=template.version,
        created_at=template.updated_at,
        created_by=actor,
        **{name: getattr(template, name) for name in FIELDS},
    )


@transaction.atomic
def create_template(
    actor: User | None, values: Mapping[str, Any], *, code: str = "", preset: bool = False
) -> RegulatorReportTemplate:
    """A new template, version 1. ``actor`` ``None`` is the installer."""
    if actor is not None:
        require_admin(actor)
    data = clean(values)
    template = RegulatorReportTemplate.objects.create(
        code=code or _code(data["name"]),
        is_active=bool(values.get("is_active", True)),
        is_preset=preset,
        version=1,
        updated_at=timezone.now(),
        updated_by=actor,
        **data,
    )
    _snapshot(template, actor)
    return template


@transaction.atomic
def update_template(
    actor: User, template: RegulatorReportTemplate | int, values: Mapping[str, Any]
) -> RegulatorReportTemplate:
    """Change the fields given; a change of the layout is a new version (the old one
    is kept). Switching ``is_active`` alone makes no version."""
    require_admin(actor)
    pk = template.pk if isinstance(template, RegulatorReportTemplate) else template
    current = RegulatorReportTemplate.objects.select_for_update().filter(pk=pk).first()
    if current is None:
        raise NotFound(_("Template not found."))
    merged = {name: values.get(name, getattr(current, name)) for name in FIELDS}
    data = clean(merged)
    changed = any(getattr(current, name) != data[name] for name in FIELDS)
    if "is_active" in values:
        current.is_active = bool(values["is_active"])
    if changed:
        for name in FIELDS:
            setattr(current, name, data[name])
        current.version += 1
    current.updated_at = timezone.now()
    current.updated_by = actor
    current.save()
    if changed:
        _snapshot(current, actor)
    return current


@transaction.atomic
def archive_template(actor: User, template: RegulatorReportTemplate | int) -> RegulatorReportTemplate:
    """Switch a template off. It is never deleted: its versions reproduce old reports."""
    return update_template(actor, template, {"is_active": False})


def get_template(pk: int) -> RegulatorReportTemplate:
    template = RegulatorReportTemplate.objects.filter(pk=pk).first()
    if template is None:
        raise NotFound(_("Template not found."))
    return template


def default_template() -> RegulatorReportTemplate | None:
    """The template offered first: the shipped preset if active, else the first active."""
    active = RegulatorReportTemplate.objects.filter(is_active=True)
    return active.filter(is_preset=True).order_by("id").first() or active.order_by("name", "id").first()


def builtin_layout() -> RegulatorReportTemplateVersion:
    """The shipped layout, unsaved: what the report uses while no template exists."""
    return RegulatorReportTemplateVersion(number=0, **default_values())


def load_default_template() -> int:
    """Add the shipped template unless it is there (edited or switched off, it is
    left alone); returns how many were added. ``manage.py setup`` calls it."""
    if RegulatorReportTemplate.objects.filter(code=DEFAULT_CODE).exists():
        return 0
    create_template(None, default_values(), code=DEFAULT_CODE, preset=True)
    return 1


def layout_of(template: RegulatorReportTemplate | int | None, version: int | None = None) -> Layout:
    """The layout to render: a template's saved version (its latest by default);
    with none named, the default template's, or the shipped layout if there is none."""
    if template is None:
        found = default_template()
        if found is None:
            return builtin_layout()
        template = found
    elif isinstance(template, int):
        template = get_template(template)
    if version is None:
        version = template.version
    row = RegulatorReportTemplateVersion.objects.filter(template=template, number=version).first()
    if row is None:
        raise NotFound(_("Template version %(n)s not found.") % {"n": version})
    return row


@dataclass
class Preview:
    """A layout rendered (or not) on some report: the editor's preview."""

    html: SafeString | None
    error: str = ""


def render_body(layout: Layout, context: Mapping[str, Any]) -> SafeString:
    """The layout's PDF body rendered on ``context`` (plain data, copied so that no
    render can change what the next one sees)."""
    template = compile_body(layout.body_source)
    try:
        html = template.render(Context(copy.deepcopy(dict(context)), autoescape=True))
    except Exception as exc:  # noqa: BLE001 - a template's filter may fail on odd data; say so, do not crash
        line = getattr(exc, "template_debug", {}).get("line", "?")
        raise InvalidInput(_("Line %(line)s: %(error)s") % {"line": line, "error": exc}, field="body_source") from None
    return mark_safe(html)  # noqa: S308 - rendered by the sandboxed engine with autoescaping
