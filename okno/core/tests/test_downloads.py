"""Generated files: named for the browser (a Cyrillic name too) and never kept by a
shared cache — the reports' exports included, which hold clients' names."""

from __future__ import annotations

from django.test import Client

from okno.core.downloads import XLSX_TYPE, file_response
from okno.testing import Org


def test_a_cyrillic_name_survives_and_nothing_is_cached() -> None:
    response = file_response(b"x", "реестр-1.xlsx", XLSX_TYPE)
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%D1%80%D0%B5%D0%B5%D1%81%D1%82%D1%80-1.xlsx"
    assert response["Cache-Control"] == "private, no-store"
    assert file_response(b"%PDF", "a.pdf", "application/pdf", inline=True)["Content-Disposition"] == (
        'inline; filename="a.pdf"'
    )


def test_a_report_export_is_not_kept_by_a_cache(org: Org) -> None:
    client = Client()
    client.force_login(org.kira)
    response = client.get("/reports/export/csv/", {"report": "overdue"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
