"""The report numbers on a hand-built March (``month.py``), worked out by hand;
who may read them; and that every number's drill-down lists exactly the appeals it
counted."""

from __future__ import annotations

from typing import Any

import pytest

from okno.core.errors import InvalidInput, PermissionDenied
from okno.reports.services import reports
from okno.reports.services.filters import parse_filters
from okno.reports.tests.month import MARCH, NOW, Month, build_month
from okno.testing import Org


@pytest.fixture
def month(org: Org) -> Month:
    return build_month(org)


def run(user: Any, code: str, **params: Any) -> reports.Report:
    spec = reports.spec_of(code)
    flt = parse_filters({**MARCH, **params}, group_choices=tuple(spec.groups))
    return reports.run(user, code, flt, now=NOW)


def table(report: reports.Report, *keys: str) -> dict[str, tuple[Any, ...]]:
    return {line.label: tuple(line.values[k] for k in keys) for line in report.all_rows()}


def drilled(user: Any, report: reports.Report, line: reports.Line, column: str) -> set[str]:
    qs = reports.drill(user, report.code, report.filters, line.cells[column], now=NOW)
    return set(qs.values_list("number", flat=True))


def check_every_drill(user: Any, report: reports.Report) -> None:
    """Each clickable number equals the size of the list it opens."""
    for line in report.all_rows():
        for column, key in line.cells.items():
            got = reports.drill(user, report.code, report.filters, key, now=NOW)
            assert got.count() == line.values[column], (line.label, column)


def test_volumes_by_channel_and_by_category_tree(org: Org, month: Month) -> None:
    by_channel = run(org.kira, "volumes")
    assert table(by_channel, "count", "share") == {
        "Phone": (2, 40.0),
        "E-mail": (2, 40.0),
        "API": (1, 20.0),
        "Total": (5, 100.0),
    }
    check_every_drill(org.kira, by_channel)
    phone = next(line for line in by_channel.rows if line.key == "phone")
    assert drilled(org.kira, by_channel, phone, "count") == {month.a1.number, month.a4.number}

    by_category = run(org.kira, "volumes", group_by="category")
    assert [(line.level, line.label, line.values["count"]) for line in by_category.rows] == [
        (0, "Cards", 4),
        (1, "without a subcategory", 2),
        (1, "Fees", 2),
        (0, "No category", 1),
    ]
    check_every_drill(org.kira, by_category)
    # The trend by day: March has 31 buckets and they add up to the total.
    assert by_category.trend is not None and len(by_category.trend["labels"]) == 31
    assert sum(by_category.trend["total"]) == 5
    assert by_category.chart["labels"] == ["Cards", "No category"]


def test_volumes_follow_the_filters(org: Org, month: Month) -> None:
    assert run(org.kira, "volumes", segment="sme").total.values["count"] == 1  # type: ignore[union-attr]
    assert run(org.kira, "volumes", category=str(org.cards.pk)).total.values["count"] == 4  # type: ignore[union-attr]
    assert run(org.kira, "volumes", category=str(org.card_fees.pk)).total.values["count"] == 2  # type: ignore[union-attr]
    assert run(org.kira, "volumes", queue=str(org.support.pk)).total.values["count"] == 2  # type: ignore[union-attr]
    assert run(org.kira, "volumes", product=str(org.debit_card.pk)).total.values["count"] == 1  # type: ignore[union-attr]
    assert run(org.kira, "volumes", channel="mail", kind=str(org.complaint.pk)).total.values["count"] == 2  # type: ignore[union-attr]
    february = run(org.kira, "volumes", date_from="2026-02-01", date_to="2026-02-28", bucket="week")
    assert table(february, "count") == {"Phone": (1,), "Total": (1,)}
    assert february.trend is not None and february.trend["step"] == "week"


def test_outcomes_by_category(org: Org, month: Month) -> None:
    report = run(org.kira, "outcomes")
    keys = ("total", "satisfied", "partly_satisfied", "refused", "explained")
    assert table(report, *keys) == {
        "Cards": (2, 1, 0, 1, 0),
        "without a subcategory": (1, 0, 0, 1, 0),
        "Fees": (1, 1, 0, 0, 0),
        "No category": (1, 0, 0, 0, 1),
        "Total": (3, 1, 0, 1, 1),
    }
    assert report.total is not None and report.total.values["satisfied_share"] == 33.3
    check_every_drill(org.kira, report)


def test_on_time_and_late_by_regime_with_average_and_90th_percentile(org: Org, month: Month) -> None:
    report = run(org.kira, "timeliness")
    # a1 answered after 24 h, a4 after 24 h (both on time), a2 after 11 days (late).
    assert table(report, "answered", "on_time", "late", "on_time_share", "avg_hours", "p90_hours") == {
        "Default term (no policy)": (3, 2, 1, 66.7, 104.0, 216.0),
        "Total": (3, 2, 1, 66.7, 104.0, 216.0),
    }
    check_every_drill(org.kira, report)
    late = reports.drill(org.kira, "timeliness", report.filters, report.total.cells["late"])  # type: ignore[union-attr]
    assert list(late.values_list("number", flat=True)) == [month.a2.number]


def test_current_and_overdue(org: Org, month: Month) -> None:
    report = run(org.kira, "overdue", soon_days="10")
    assert table(report, "overdue", "soon") == {"Claims": (1, 0), "Support": (0, 1), "Total": (1, 1)}
    assert [item.values["number"] for item in report.items] == [month.a3.number, month.a6.number]
    assert report.items[0].values["overdue_hours"] > 24 * 10
    assert report.items[1].values["overdue_hours"] is None
    check_every_drill(org.kira, report)
    # Three days ahead, the April appeal is not due soon yet.
    assert run(org.kira, "overdue").total.values["soon"] == 0  # type: ignore[union-attr]


def test_agents_and_queues(org: Org, month: Month) -> None:
    by_agent = run(org.kira, "agents")
    assert table(by_agent, "handled", "avg_hours", "late", "reopened") == {
        "Смирнова А.": (2, 168.0, 1, 0),
        "Кузнецов Б.": (1, 120.0, 0, 1),
        "Total": (3, 152.0, 1, 1),
    }
    check_every_drill(org.kira, by_agent)
    by_queue = run(org.kira, "agents", group_by="queue")
    assert table(by_queue, "handled", "late", "reopened") == {
        "Claims": (2, 1, 0),
        "Support": (1, 0, 1),
        "Total": (3, 1, 1),
    }


def test_repeat_appeals(org: Org, month: Month) -> None:
    report = run(org.kira, "repeats")
    # a1 repeats February's a5 (28 days before), a3 repeats a1; a2 is another category.
    assert table(report, "received", "repeats") == {
        "Cards → Fees": (2, 2),
        "Cards": (1, 0),
        "Total": (3, 2),
    }
    check_every_drill(org.kira, report)
    shorter = run(org.kira, "repeats", repeat_days="20")
    assert shorter.total is not None and shorter.total.values["repeats"] == 1
    by_client = run(org.kira, "repeats", group_by="client")
    assert table(by_client, "repeats") == {"Иванов Иван Иванович": (2,), "Total": (2,)}
    check_every_drill(org.kira, by_client)


def test_a_supervisor_counts_only_their_queues_and_an_agent_may_not_read(org: Org, month: Month) -> None:
    assert table(run(org.sergey, "volumes"), "count") == {"Phone": (1,), "E-mail": (2,), "Total": (3,)}
    report = run(org.sergey, "agents")
    assert table(report, "handled") == {"Смирнова А.": (2,), "Total": (2,)}
    with pytest.raises(PermissionDenied):
        run(org.anna, "volumes")
    with pytest.raises(PermissionDenied):
        reports.drill(org.anna, "volumes", parse_filters(MARCH), "g=phone")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "fortnight"}, "period"),
        ({"period": "custom", "date_from": "2026-03-01"}, "date_to"),
        ({"period": "custom", "date_from": "2026-03-10", "date_to": "2026-03-01"}, "date_to"),
        ({"period": "custom", "date_from": "1. März", "date_to": "2026-03-01"}, "date_from"),
        ({"queue": "claims"}, "queue"),
        ({"channel": "pigeon"}, "channel"),
        ({"segment": "vip"}, "segment"),
        ({"repeat_days": "0"}, "repeat_days"),
        ({"soon_days": "1000"}, "soon_days"),
        ({"bucket": "hour"}, "bucket"),
        ({"group_by": "colour"}, "group_by"),
    ],
)
def test_filters_name_the_field_they_reject(params: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_filters(params, group_choices=("channel", "kind"))
    assert error.value.field == field


def test_presets_and_the_trend_step() -> None:
    from datetime import date

    today = date(2026, 5, 14)
    flt = parse_filters({"period": "last_12_months"}, today=today)
    assert (flt.date_from, flt.date_to, flt.step) == (date(2025, 6, 1), date(2026, 5, 31), "month")
    flt = parse_filters({"period": "last_month"}, today=today)
    assert (flt.date_from, flt.date_to, flt.step) == (date(2026, 4, 1), date(2026, 4, 30), "day")
    assert parse_filters({"period": "quarter"}, today=today).step == "week"
    assert parse_filters({}, today=today).to_params() == {"period": "this_month"}
    custom = parse_filters({"date_from": "2026-01-01", "date_to": "2026-01-31", "channel": "mail"}, today=today)
    assert custom.to_params() == {
        "period": "custom",
        "date_from": "2026-01-01",
        "date_to": "2026-01-31",
        "channel": "mail",
    }


def test_the_dashboard_is_the_reports_by_month(org: Org, month: Month) -> None:
    from okno.reports.services import dashboard

    flt = parse_filters({"period": "custom", "date_from": "2026-01-01", "date_to": "2026-03-31"})
    data = dashboard.build(org.kira, flt)
    # February's a5 and March's five; a5, a1, a2, a4 closed; a5, a1, a4 of four answers on time.
    assert (data.received, data.closed, data.on_time_share, data.satisfied_share) == (6, 4, 75.0, 25.0)
    charts = data.charts()
    assert charts["volume"]["labels"] == ["01.2026", "02.2026", "03.2026"]
    assert charts["volume"]["datasets"][0]["data"] == [0, 1, 5]
    assert charts["on_time"]["datasets"][0]["data"] == [None, 100.0, 66.7]
    assert charts["categories"]["labels"] == ["Cards"]  # appeals without one are not a "top category"
    assert (charts["products"]["labels"], charts["products"]["datasets"][0]["data"]) == (["Debit card"], [1])
    with pytest.raises(PermissionDenied):
        dashboard.build(org.anna, flt)
