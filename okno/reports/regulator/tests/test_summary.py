"""The regulator report's numbers on a hand-made March (see ``conftest.build_march``):
received by channel and topic, outcomes, answers on time and late per deadline
regime, the forwarded appeals, the median answer time; who may read it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from okno.appeals import services
from okno.core.errors import InvalidInput, PermissionDenied
from okno.reports.regulator.services.summary import build_summary, period, period_label
from okno.reports.regulator.tests.conftest import MARCH, MONDAY, NOW, March, at
from okno.testing import Org


def summary_of(user, **kwargs):  # type: ignore[no-untyped-def]
    return build_summary(user, *MARCH, now=NOW, **kwargs)


def test_received_by_channel_and_topic_without_cancelled_subcases_and_other_months(org: Org, march: March) -> None:
    s = summary_of(org.kira)
    assert (s.received, s.forwarded) == (4, 2)
    assert [(c.key, c.count, c.forwarded) for c in s.channels] == [("mail", 1, 1), ("portal", 1, 1), ("phone", 2, 0)]
    assert [(t.name, t.count, t.forwarded) for t in s.topics] == [("Cards", 3, 1), ("No category", 1, 1)]
    assert [(c.name, c.count, c.forwarded) for c in s.topics[0].children] == [("Fees", 2, 1)]


def test_outcomes_of_the_appeals_closed_in_the_period(org: Org, march: March) -> None:
    s = summary_of(org.kira)
    assert s.closed == 3
    assert {o.key: o.count for o in s.outcomes} == {
        "satisfied": 1,
        "partly_satisfied": 0,
        "refused": 1,
        "explained": 1,
    }


def test_answers_on_time_and_late_per_deadline_regime(org: Org, march: March) -> None:
    s = summary_of(org.kira)
    regimes = {r.name: (r.term, r.statutory, r.answered, r.on_time, r.late, r.overdue_unanswered) for r in s.regimes}
    assert regimes == {
        # a on time, b late
        "Жалобы (закон)": ("15 working days", True, 2, 1, 1, 0),
        # d on time; e (received in February) late; c's deadline passed with no answer
        "Queue term (no policy matched)": ("5 calendar days", False, 2, 1, 1, 1),
    }
    assert [r.statutory for r in s.regimes] == [True, False]  # statutory regimes first
    assert (s.answered, s.answered_on_time, s.answered_late, s.on_time_percent) == (4, 2, 2, 50.0)
    assert (s.forwarded_answered, s.forwarded_on_time) == (1, 1)


def test_median_and_average_answer_time(org: Org, march: March) -> None:
    s = summary_of(org.kira)
    # 1, 3, 11 and 25 days from receipt to answer.
    assert s.median_answer == timedelta(days=7)
    assert s.average_answer == timedelta(days=10)


def test_median_of_an_odd_number_of_answers_is_the_middle_one(org: Org, march: March) -> None:
    s = build_summary(org.kira, date(2026, 3, 4), date(2026, 3, 31), now=NOW)  # a (5 March), d, b
    assert s.answered == 3
    assert s.median_answer == timedelta(days=3)


def test_forwarded_by_the_regulator_with_their_references_and_deadlines(org: Org, march: March) -> None:
    s = summary_of(org.kira)
    rows = [(f.number, f.reference, f.letter_date, f.on_time, f.overdue) for f in s.forwarded_list]
    assert rows == [
        (march.appeals["a"].number, "ЦБ-1", date(2026, 2, 27), True, False),
        (march.appeals["c"].number, "ЦБ-2", None, None, True),
    ]
    assert s.forwarded_list[0].category == "Cards → Fees"


def test_an_empty_period_is_all_zeros_and_no_median(org: Org, march: March) -> None:
    s = build_summary(org.kira, date(2025, 1, 1), date(2025, 12, 31), now=NOW)
    assert (s.received, s.answered, s.closed, s.median_answer, s.on_time_percent) == (0, 0, 0, None, None)
    assert s.channels == [] and s.regimes == [] and s.forwarded_list == []
    assert [o.count for o in s.outcomes] == [0, 0, 0, 0]


def test_a_supervisor_counts_only_the_appeals_they_may_see(org: Org, march: March) -> None:
    at(MONDAY, services.register_appeal, org.boris, subject="Вопрос", channel="phone", queue=org.support)
    assert summary_of(org.kira).received == 5
    assert summary_of(org.adam).received == 5
    assert summary_of(org.sergey).received == 4  # he supervises claims, not support


@pytest.mark.parametrize("who", ["anna", "boris", "dina", "spec"])
def test_agents_dispatchers_and_specialists_may_not_read_it(org: Org, who: str) -> None:
    with pytest.raises(PermissionDenied):
        summary_of(getattr(org, who))


def test_a_period_that_ends_before_it_starts_is_refused(org: Org) -> None:
    with pytest.raises(InvalidInput) as refused:
        build_summary(org.kira, date(2026, 3, 31), date(2026, 3, 1))
    assert refused.value.field == "date_to"


def test_year_presets_and_labels() -> None:
    today = date(2026, 5, 14)
    assert period("this_year", today) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period("last_year", today) == (date(2025, 1, 1), date(2025, 12, 31))
    assert period("last_quarter", today) == (date(2026, 1, 1), date(2026, 3, 31))
    assert period_label(date(2025, 1, 1), date(2025, 12, 31)) == "2025"
    assert period_label(date(2026, 1, 1), date(2026, 3, 31)) == "Q1 2026"
    assert period_label(date(2026, 3, 2), date(2026, 3, 5)) == "02.03.2026 – 05.03.2026"
    with pytest.raises(InvalidInput):
        period("fortnight", today)
