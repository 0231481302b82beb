"""The regulator report pages: the summary with its drill-down links, the downloads,
the appeals behind a number, who may open them, and the template editor."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from okno.reports.regulator.defaults import default_values
from okno.reports.regulator.models import RegulatorReportTemplate
from okno.reports.regulator.tests.conftest import March
from okno.testing import Org

MARCH_QUERY = "period=custom&date_from=2026-03-01&date_to=2026-03-31"


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_the_numbers_and_each_opens_the_appeals_behind_it(org: Org, march: March) -> None:
    page = client_for(org.kira).get(f"/reports/regulator/?{MARCH_QUERY}")
    assert page.status_code == 200
    html = page.content.decode()
    received = re.search(r'id="total-received" href="([^"]+)">4<', html)
    assert received is not None
    listed = client_for(org.kira).get(received.group(1).replace("&amp;", "&"))
    assert listed.status_code == 200
    numbers = set(re.findall(r"\d{4}-\d{6}", listed.content.decode()))
    assert numbers == {march.appeals[k].number for k in "abcd"}

    late = re.search(r'href="([^"]+on_time=0[^"]*)"', html)
    assert late is not None
    listed = client_for(org.kira).get(late.group(1).replace("&amp;", "&")).content.decode()
    assert set(re.findall(r"\d{4}-\d{6}", listed)) == {march.appeals["b"].number, march.appeals["e"].number}


def test_overdue_and_forwarded_drill_downs(org: Org, march: March) -> None:
    client = client_for(org.kira)
    overdue = client.get(f"/reports/regulator/appeals/?{MARCH_QUERY}&measure=overdue").content.decode()
    assert set(re.findall(r"\d{4}-\d{6}", overdue)) == {march.appeals["c"].number}
    forwarded = client.get(f"/reports/regulator/appeals/?{MARCH_QUERY}&measure=received&forwarded=1").content.decode()
    assert set(re.findall(r"\d{4}-\d{6}", forwarded)) == {march.appeals["a"].number, march.appeals["c"].number}
    assert client.get(f"/reports/regulator/appeals/?{MARCH_QUERY}&measure=nonsense").status_code == 400
    assert client.get(f"/reports/regulator/appeals/?{MARCH_QUERY}&measure=answered&regime=x").status_code == 400


@pytest.mark.parametrize(
    ("kind", "content_type", "magic"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("pdf", "application/pdf", b"%PDF"),
        ("zip", "application/zip", b"PK"),
    ],
)
def test_one_click_downloads(org: Org, march: March, kind: str, content_type: str, magic: bytes) -> None:
    response = client_for(org.sergey).get(f"/reports/regulator/?{MARCH_QUERY}&format={kind}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="regulator-report-20260301-20260331.{kind}"'
    assert response.content.startswith(magic)


def test_agents_may_not_open_the_report(org: Org) -> None:
    assert client_for(org.anna).get("/reports/regulator/").status_code == 403
    assert client_for(org.anna).get(f"/reports/regulator/appeals/?{MARCH_QUERY}").status_code == 403


def test_a_custom_period_needs_both_dates(org: Org) -> None:
    assert client_for(org.kira).get("/reports/regulator/?period=custom&date_from=2026-03-01").status_code == 400


def test_only_administrators_edit_templates(org: Org) -> None:
    assert client_for(org.kira).get("/reports/regulator/templates/").status_code == 403
    assert client_for(org.adam).get("/reports/regulator/templates/").status_code == 200


def form_data(**values):  # type: ignore[no-untyped-def]
    data = {**default_values(), "name": "ФАС", "regulator": "ФАС России", "is_active": "on", **values}
    if not isinstance(data["sections"], str):
        data["sections"] = json.dumps(data["sections"], ensure_ascii=False)
    data.pop("landscape")
    return data


def test_the_editor_saves_versions_and_shows_errors_with_their_line(org: Org) -> None:
    client = client_for(org.adam)
    created = client.post("/reports/regulator/templates/new/", form_data())
    assert created.status_code == 302
    template = RegulatorReportTemplate.objects.get(name="ФАС")
    refused = client.post(
        f"/reports/regulator/templates/{template.pk}/",
        form_data(body_source="<p>ok</p>\n{% include 'pdf/base.html' %}"),
    )
    assert refused.status_code == 400
    assert "Строка 2: Invalid block tag on line 2: &#x27;include&#x27;" in refused.content.decode()
    bad_json = client.post(f"/reports/regulator/templates/{template.pk}/", form_data(sections="[{"))
    assert "Разделы — некорректный JSON" in bad_json.content.decode()
    saved = client.post(
        f"/reports/regulator/templates/{template.pk}/", form_data(body_source="<p>{{ totals.received }}</p>")
    )
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.version == 2 and template.versions.count() == 2


def test_the_preview_is_a_pdf_or_the_error(org: Org, march: March) -> None:
    client = client_for(org.adam)
    preview = client.post("/reports/regulator/templates/preview/", form_data())
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
    broken = client.post("/reports/regulator/templates/preview/", form_data(body_source="{% if %}"))
    assert broken.status_code == 400
    assert "Строка 1:" in broken.content.decode()


def test_the_page_lists_the_first_forwarded_appeals_and_links_all_of_them(
    org: Org, march: March, monkeypatch: pytest.MonkeyPatch
) -> None:
    from okno.reports.regulator import views

    monkeypatch.setattr(views, "PAGE_FORWARDED_LIMIT", 1)
    html = client_for(org.kira).get(f"/reports/regulator/?{MARCH_QUERY}")
    text = html.content.decode()
    table = re.search(r'<table[^>]*id="table-forwarded".*?</table>', text, re.S)
    assert table is not None
    assert re.findall(r">(\d{4}-\d{6})<", table.group(0)) == [march.appeals["a"].number]
    more = re.search(r'id="forwarded-more">\s*… и ещё 1\.\s*<a href="([^"]+)"', text)
    assert more is not None
    listed = client_for(org.kira).get(more.group(1).replace("&amp;", "&")).content.decode()
    assert set(re.findall(r"\d{4}-\d{6}", listed)) == {march.appeals["a"].number, march.appeals["c"].number}
