"""The template engine an administrator's report layout is rendered with.

A separate ``Engine`` rather than the project's: it knows no template files (no
``{% include %}``, ``{% extends %}`` or ``{% block %}``: the layout is the body of
``regulator/report_pdf.html``, which itself extends ``pdf/base.html``), loads no
tag library but ``i18n`` and ``humanize``, and offers the built-in tags without
``{% debug %}`` (it prints the context and the loaded modules), ``{% url %}``,
``{% csrf_token %}``, ``{% querystring %}`` and the partials (no request, no site
map in a PDF). The context holds plain data only, freshly built for each render,
so a template can neither reach models nor change what another render sees.
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar

from django.template import Engine, Library, defaultfilters, defaulttags

ALLOWED_TAGS = frozenset(
    {
        "autoescape",
        "comment",
        "cycle",
        "filter",
        "firstof",
        "for",
        "if",
        "ifchanged",
        "load",
        "lorem",
        "now",
        "regroup",
        "resetcycle",
        "spaceless",
        "templatetag",
        "verbatim",
        "widthratio",
        "with",
    }
)
LIBRARIES = {
    "i18n": "django.templatetags.i18n",
    "humanize": "django.contrib.humanize.templatetags.humanize",
}

register = Library()
register.tags.update({name: tag for name, tag in defaulttags.register.tags.items() if name in ALLOWED_TAGS})
register.filters.update(defaultfilters.register.filters)


class SandboxEngine(Engine):
    """Django's engine without its default built-ins (they include the loader tags)."""

    default_builtins: ClassVar[list[str]] = []


@cache
def engine() -> Engine:
    """``debug=True`` only makes syntax errors carry their line for the editor."""
    return SandboxEngine(
        loaders=[],
        libraries=LIBRARIES,
        builtins=["okno.reports.regulator.sandbox"],
        debug=True,
        autoescape=True,
    )
