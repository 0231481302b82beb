"""Files Okno makes for a reader (reports, letters, registries, raw mail): one way
to hand them over."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"


def file_response(content: bytes, filename: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    """``content`` as a download named ``filename`` (shown in the browser when
    ``inline``: PDFs). Never kept by a shared cache: these files hold personal data."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or ""
    response["Cache-Control"] = "private, no-store"
    return response
