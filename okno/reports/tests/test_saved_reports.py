"""Saved reports: saving and scheduling them (service, pages, API), and their
delivery as XLSX through a real SMTP server (aiosmtpd on 127.0.0.1) by the
periodic job, a failed send retried on the next run and shown on the page."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from openpyxl import load_workbook

from okno.channels.mail.testing import SmtpServer, free_port, smtp_mailers
from okno.core.errors import Conflict, InvalidInput, PermissionDenied
from okno.reports.models import DeliveryRun, SavedReport
from okno.reports.services import saved
from okno.reports.tests.month import MARCH, Month, build_month
from okno.testing import Org
from okno.testing_api import ApiClient

# Wednesday 1 April 2026, 06:00 in Moscow.
WEDNESDAY = datetime(2026, 4, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def smtp(settings: Any, smtp_server: SmtpServer) -> SmtpServer:
    settings.MAILERS = smtp_mailers(smtp_server.port)
    settings.SITE_URL = "https://okno.bank.test"
    return smtp_server


@pytest.fixture
def month(org: Org) -> Month:
    return build_month(org)


def weekly(org: Org, **fields: Any) -> SavedReport:
    data: dict[str, Any] = {
        "name": "Исходы за март",
        "report": "outcomes",
        "filters": MARCH,
        "recipients": "boss@bank.test, Risk@Bank.test\nboss@bank.test",
        "schedule": "weekly",
        "weekday": 4,
        "send_hour": 9,
    }
    data.update(fields)
    return saved.create(org.kira, **data)


def test_schedules_plan_the_next_delivery_in_local_time(org: Org) -> None:
    item = weekly(org)
    assert item.recipients == ["boss@bank.test", "Risk@Bank.test"]
    assert item.filters == MARCH
    # Friday 9:00 in Moscow after Wednesday 1 April: 3 April, 06:00 UTC.
    assert saved.next_run(item, WEDNESDAY) == datetime(2026, 4, 3, 6, 0, tzinfo=UTC)
    item.schedule, item.day_of_month = "monthly", 31
    assert saved.next_run(item, WEDNESDAY) == datetime(2026, 4, 30, 6, 0, tzinfo=UTC)  # April has 30 days
    item.schedule = "daily"
    assert saved.next_run(item, WEDNESDAY) == datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
    item.schedule = "off"
    assert saved.next_run(item, WEDNESDAY) is None


def test_what_cannot_be_saved(org: Org) -> None:
    with pytest.raises(InvalidInput) as bad:
        weekly(org, recipients="boss@bank")
    assert bad.value.field == "recipients"
    with pytest.raises(InvalidInput) as bad:
        weekly(org, weekday=None)
    assert bad.value.field == "weekday"
    with pytest.raises(InvalidInput) as bad:
        weekly(org, recipients="")
    assert bad.value.field == "recipients"
    with pytest.raises(InvalidInput) as bad:
        weekly(org, filters={"channel": "pigeon"})
    assert bad.value.field == "channel"
    weekly(org)
    with pytest.raises(Conflict):
        weekly(org)
    with pytest.raises(PermissionDenied):
        saved.create(org.anna, name="x", report="volumes")  # an agent reads no reports


def test_a_due_report_is_mailed_as_xlsx_and_planned_again(smtp: SmtpServer, org: Org, month: Month) -> None:
    item = weekly(org)
    SavedReport.objects.filter(pk=item.pk).update(next_run_at=WEDNESDAY - timedelta(minutes=1))
    assert saved.send_due(now=WEDNESDAY) == {"due": 1, "sent": 1, "failed": 0}
    (received,) = smtp.received
    assert sorted(received.rcpt_tos) == ["Risk@Bank.test", "boss@bank.test"]
    assert "Исходы за март" in received.subject
    assert "https://okno.bank.test/reports/?report=outcomes" in received.body
    (attachment,) = list(received.message.iter_attachments())
    assert attachment.get_filename() == "outcomes-2026-03-01-2026-03-31.xlsx"
    sheet = load_workbook(io.BytesIO(attachment.get_content())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[-1][:6] == ["Итого", 3, 1, 0, 1, 1]  # the owner reads Russian
    item.refresh_from_db()
    assert item.last_sent_at == WEDNESDAY and item.last_error == ""
    assert item.next_run_at == datetime(2026, 4, 3, 6, 0, tzinfo=UTC)
    (run,) = DeliveryRun.objects.filter(saved=item)
    assert run.ok and run.rows == 4 and run.size > 1000
    assert saved.send_due(now=WEDNESDAY) == {"due": 0, "sent": 0, "failed": 0}


def test_a_failed_send_is_retried_next_run_and_shown(
    settings: Any, smtp_server: SmtpServer, org: Org, month: Month
) -> None:
    settings.MAILERS = smtp_mailers(free_port())  # nothing listens there
    item = weekly(org)
    SavedReport.objects.filter(pk=item.pk).update(next_run_at=WEDNESDAY - timedelta(minutes=1))
    assert saved.send_due(now=WEDNESDAY)["failed"] == 1
    item.refresh_from_db()
    assert item.failures == 1 and "e-mail server" in item.last_error
    assert item.next_run_at == WEDNESDAY - timedelta(minutes=1)  # still due

    client = Client()
    client.force_login(org.kira)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/reports/saved/").content.decode()
    assert "saved-error" in page and "e-mail server" in page

    settings.MAILERS = smtp_mailers(smtp_server.port)
    later = WEDNESDAY + timedelta(minutes=5)
    assert saved.send_due(now=later)["sent"] == 1
    assert len(smtp_server.received) == 1
    item.refresh_from_db()
    assert (item.failures, item.last_error, item.last_sent_at) == (0, "", later)
    assert [r.ok for r in DeliveryRun.objects.filter(saved=item).order_by("started_at")] == [False, True]


def test_two_runs_at_once_send_once(smtp: SmtpServer, org: Org, month: Month) -> None:
    item = weekly(org)
    SavedReport.objects.filter(pk=item.pk).update(next_run_at=WEDNESDAY - timedelta(minutes=1))
    # Another worker claimed it a moment ago: this run leaves it alone.
    SavedReport.objects.filter(pk=item.pk).update(claimed_at=WEDNESDAY - timedelta(seconds=10))
    assert saved.send_due(now=WEDNESDAY)["sent"] == 0
    # A claim an hour old belongs to a worker that died: taken back.
    assert saved.send_due(now=WEDNESDAY + timedelta(hours=1))["sent"] == 1
    assert len(smtp.received) == 1


def test_the_periodic_task_sends_them(
    smtp: SmtpServer, org: Org, month: Month, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from okno.background.schedule import periodic_jobs
    from okno.reports.tasks import send_saved_reports

    assert any(job.task.module_path == send_saved_reports.module_path for job in periodic_jobs())
    item = weekly(org)
    SavedReport.objects.filter(pk=item.pk).update(next_run_at=datetime(2026, 1, 1, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        result = send_saved_reports.enqueue()
    result.refresh()
    assert result.return_value == {"due": 1, "sent": 1, "failed": 0}
    assert len(smtp.received) == 1


def test_saving_from_the_page_and_sending_by_hand(smtp: SmtpServer, org: Org, month: Month) -> None:
    client = Client()
    client.force_login(org.sergey)
    response = client.post(
        "/reports/saved/new/",
        {
            "report": "volumes",
            "name": "Каналы",
            "query": "report=volumes&period=custom&date_from=2026-03-01&date_to=2026-03-31&group_by=channel",
        },
    )
    item = SavedReport.objects.get(owner=org.sergey)
    assert response.status_code == 302 and response["Location"] == f"/reports/saved/{item.pk}/"
    assert item.filters == {**MARCH, "group_by": "channel"}
    bad = client.post(
        f"/reports/saved/{item.pk}/", {"name": "Каналы", "schedule": "daily", "recipients": "", "send_hour": "8"}
    )
    assert bad.status_code == 400 and b'data-field="recipients"' in bad.content
    ok = client.post(
        f"/reports/saved/{item.pk}/",
        {"name": "Каналы", "schedule": "daily", "recipients": "sergey@bank.test", "send_hour": "7"},
    )
    assert ok.status_code == 302
    item.refresh_from_db()
    assert (item.schedule, item.send_hour, item.recipients) == ("daily", 7, ["sergey@bank.test"])
    assert item.next_run_at is not None
    assert client.post(f"/reports/saved/{item.pk}/send/").status_code == 302
    (received,) = smtp.received
    assert received.rcpt_tos == ["sergey@bank.test"]
    run = DeliveryRun.objects.get(saved=item)
    assert run.ok and run.manual
    # Someone else's saved report is not there for Kira (not an administrator).
    other = Client()
    other.force_login(org.kira)
    assert other.get(f"/reports/saved/{item.pk}/").status_code == 404
    assert other.post(f"/reports/saved/{item.pk}/delete/").status_code == 404
    assert client.post(f"/reports/saved/{item.pk}/delete/").status_code == 302
    assert not SavedReport.objects.exists()


def test_saved_reports_through_the_api(org: Org) -> None:
    api = ApiClient(org.kira)
    created = api.post(
        "/reports/saved",
        {
            "name": "Просрочка",
            "report": "overdue",
            "filters": {"soon_days": "5"},
            "recipients": ["kira@bank.test"],
            "schedule": "daily",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["filters"] == {"period": "this_month", "soon_days": "5"} and body["next_run_at"]
    pk = body["id"]
    changed = api.patch(f"/reports/saved/{pk}", {"schedule": "monthly", "day_of_month": 1, "send_hour": 6})
    assert changed.status_code == 200 and changed.json()["schedule"] == "monthly"
    assert [r["id"] for r in api.get("/reports/saved").json()] == [pk]
    bad = api.patch(f"/reports/saved/{pk}", {"recipients": ["not an address"]})
    assert bad.status_code == 400 and bad.json()["field"] == "recipients"
    assert ApiClient(org.sergey).get(f"/reports/saved/{pk}").status_code == 404
    assert ApiClient(org.adam).get(f"/reports/saved/{pk}").status_code == 200  # administrators see all
    assert api.get(f"/reports/saved/{pk}/runs").json() == []
    assert api.delete(f"/reports/saved/{pk}").status_code == 204
    assert not SavedReport.objects.exists()


def test_the_list_shows_each_reports_five_latest_deliveries(org: Org, month: Month) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    item = weekly(org)
    for day in range(12):
        DeliveryRun.objects.create(saved=item, started_at=WEDNESDAY - timedelta(days=day), ok=day != 0)
    client = Client()
    client.force_login(org.kira)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/reports/saved/").content.decode()
    assert page.count("✓") == 4 and page.count("✗") == 1  # the newest failed; older ones are not shown
    runs = [q["sql"] for q in queries.captured_queries if "reports_deliveryrun" in q["sql"]]
    assert len(runs) == 1
