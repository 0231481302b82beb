"""PDF documents (reports, letters, postal registries) from Django templates.

One renderer for every PDF so they share the vendored font (Cyrillic on any machine,
no system font needed) and the same safety: WeasyPrint may read only the project's
own static files and ``data:`` URLs, never the network, whatever a template or the
text placed in it refers to.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template.loader import render_to_string

STATIC_DIR = Path(settings.BASE_DIR) / "static"


_local = threading.local()


def _fetcher() -> Any:
    """One per thread (it keeps the request it is on): making one sets up an unused
    TLS context, ~25 ms a PDF."""
    fetcher = getattr(_local, "fetcher", None)
    if fetcher is None:
        fetcher = _local.fetcher = _new_fetcher()
    return fetcher


def _new_fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped; imported lazily (heavy)
        """Refuses every URL but a file inside ``static/`` or a ``data:`` URL."""

        def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if not path.is_relative_to(STATIC_DIR.resolve()):
                    raise ValueError("PDF resources must come from the app's static files")
            elif parsed.scheme != "data":
                raise ValueError("PDF resources must come from the app's static files")
            return super().fetch(url, headers)

    return StaticOnlyFetcher(allowed_protocols=("file", "data"))


def can_render() -> bool:
    """Whether WeasyPrint loads here (it needs the system's Pango library)."""
    try:
        import weasyprint  # noqa: F401
    except OSError:
        return False
    return True


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render ``template_name`` (extending ``pdf/base.html``) to PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template_name, {"pdf_static": STATIC_DIR.as_uri(), **context})
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_fetcher())
    return cast(bytes, document.write_pdf())
