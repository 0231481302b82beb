"""API: the regulator report as JSON, XLSX and PDF, its templates (administrators
only), and the appeal's "forwarded by the regulator" fields."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from okno.appeals.models import Appeal, Event
from okno.reports.regulator.defaults import default_values
from okno.reports.regulator.tests.conftest import March
from okno.testing import Org
from okno.testing_api import ApiClient

MARCH = {"period": "custom", "date_from": "2026-03-01", "date_to": "2026-03-31"}


def test_the_summary_as_json(org: Org, march: March) -> None:
    response = ApiClient(org.kira).get("/reports/regulator/summary", MARCH)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == {"label": "Март 2026", "date_from": "2026-03-01", "date_to": "2026-03-31"}
    assert body["totals"]["received"] == 4 and body["totals"]["median_answer_days"] == 7.0
    assert [c["key"] for c in body["channels"]] == ["mail", "portal", "phone"]
    assert [f["reference"] for f in body["forwarded"]] == ["ЦБ-1", "ЦБ-2"]
    assert body["regulator"] == "Банк России"


def test_the_files(org: Org, march: March) -> None:
    client = ApiClient(org.sergey)
    xlsx = client.get("/reports/regulator/report.xlsx", MARCH)
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "Сводка"
    pdf = client.get("/reports/regulator/report.pdf", {"period": "last_year"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"period": "custom", "date_from": "2026-03-01"}, 400),
        ({"period": "custom", "date_from": "2026-03-31", "date_to": "2026-03-01"}, 400),
        ({"period": "fortnight"}, 422),
        ({"period": "custom", "date_from": "2026-02-30", "date_to": "2026-03-01"}, 422),
        ({"template": 999999}, 404),
        ({"version": 0}, 422),
    ],
)
def test_bad_input_is_refused(org: Org, params: dict[str, Any], status: int) -> None:
    assert ApiClient(org.kira).get("/reports/regulator/summary", params).status_code == status


def test_agents_get_403(org: Org) -> None:
    assert ApiClient(org.anna).get("/reports/regulator/summary").status_code == 403
    assert ApiClient(org.anna).get("/reports/regulator/report.pdf").status_code == 403
    assert ApiClient().get("/reports/regulator/summary").status_code == 401


def test_templates_crud_for_administrators(org: Org, march: March) -> None:
    admin = ApiClient(org.adam)
    payload = {
        **default_values(),
        "name": "ФАС",
        "regulator": "ФАС России",
        "body_source": "<p>{{ totals.received }}</p>",
    }
    created = admin.post("/reports/regulator/templates", payload)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["version"] == 1
    changed = admin.patch(f"/reports/regulator/templates/{pk}", {"body_source": "<p>Всего {{ totals.received }}</p>"})
    assert changed.json()["version"] == 2
    refused = admin.patch(f"/reports/regulator/templates/{pk}", {"body_source": "{% include 'pdf/base.html' %}"})
    assert refused.status_code == 400 and refused.json()["field"] == "body_source"
    bad_sections = admin.patch(f"/reports/regulator/templates/{pk}", {"sections": [{"section": "weather"}]})
    assert bad_sections.status_code == 400 and bad_sections.json()["field"] == "sections"
    versions = admin.get(f"/reports/regulator/templates/{pk}/versions").json()
    assert [v["number"] for v in versions] == [1, 2]
    old = ApiClient(org.kira).get("/reports/regulator/summary", {**MARCH, "template": pk, "version": 1})
    assert old.json()["report_name"] == "ФАС"
    archived = admin.delete(f"/reports/regulator/templates/{pk}")
    assert archived.status_code == 200 and archived.json()["is_active"] is False
    assert admin.get(f"/reports/regulator/templates/{pk}").json()["version"] == 2
    assert ApiClient(org.kira).get("/reports/regulator/templates").status_code == 403
    assert ApiClient(org.kira).post("/reports/regulator/templates", payload).status_code == 403
    assert admin.post("/reports/regulator/templates", {**payload, "colour": "red"}).status_code == 422


def test_an_appeal_is_registered_and_changed_as_forwarded_by_the_regulator(org: Org) -> None:
    client = ApiClient(org.anna)
    created = client.post(
        "/appeals",
        {
            "subject": "Жалоба через ЦБ",
            "queue": org.claims.pk,
            "regulator_reference": "ОТ-77",
            "regulator_letter_date": "2026-03-01",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["regulator_forwarded"], body["regulator_reference"], body["regulator_letter_date"]) == (
        True,
        "ОТ-77",
        "2026-03-01",
    )
    pk = body["id"]
    listed = client.get("/appeals", {"regulator": "true", "status": "open"}).json()
    assert [item["id"] for item in listed["items"]] == [pk]
    assert client.get("/appeals", {"regulator": "false", "status": "open"}).json()["items"] == []

    refused = client.patch(f"/appeals/{pk}", {"regulator_forwarded": False, "regulator_reference": "ОТ-78"})
    assert refused.status_code == 400 and refused.json()["field"] == "regulator_reference"
    cleared = client.patch(f"/appeals/{pk}", {"regulator_forwarded": False})
    assert cleared.status_code == 200
    assert (cleared.json()["regulator_reference"], cleared.json()["regulator_letter_date"]) == ("", None)
    changes = list(
        Event.objects.filter(appeal_id=pk, kind="field_changed").order_by("id").values_list("field", flat=True)
    )
    assert changes == ["regulator_forwarded", "regulator_reference", "regulator_letter_date"]
    future = client.patch(f"/appeals/{pk}", {"regulator_letter_date": "2999-01-01"})
    assert future.status_code == 400 and future.json()["field"] == "regulator_letter_date"
    assert not Appeal.objects.get(pk=pk).regulator_forwarded
