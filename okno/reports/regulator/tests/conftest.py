"""A small March of appeals built through the real services, with known answers:
the numbers the regulator report must show for it are in ``test_summary.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine

from okno.appeals import services
from okno.appeals.choices import Channel, Outcome
from okno.appeals.models import Appeal
from okno.deadlines.calendar_import import install_default_calendar
from okno.deadlines.services import policy_admin
from okno.testing import Org

# Monday 2 March 2026, 10:00 in Moscow.
MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _shipped_calendar(db) -> None:  # type: ignore[no-untyped-def]
    install_default_calendar()  # transactional tests elsewhere flush what migrations shipped


@dataclass
class March:
    appeals: dict[str, Appeal]


def at(when: datetime, fn: Any, *args: Any, **kwargs: Any) -> Any:
    with time_machine.travel(when, tick=False):
        return fn(*args, **kwargs)


def register(org: Org, when: datetime, **fields: Any) -> Appeal:
    return at(when, org.appeal, org.anna, **fields)


def answer(org: Org, appeal: Appeal, when: datetime) -> None:
    at(when, services.reply, org.anna, appeal, body_text="Ответ по существу обращения.")


def close(org: Org, appeal: Appeal, outcome: str, when: datetime) -> None:
    at(when, services.close, org.anna, appeal, outcome)


def build_march(org: Org) -> March:
    """Complaints run on a statutory policy (15 working days); requests on the claims
    queue's own term (5 calendar days, no policy).

    - ``a``: complaint by e-mail about fees, forwarded by the regulator (ref. ЦБ-1),
      answered after 3 days (on time), closed satisfied;
    - ``b``: complaint by phone about cards, answered after 25 days (late), refused;
    - ``c``: request from the portal, no category, forwarded (ref. ЦБ-2), never
      answered: its deadline (10 March) passes in March;
    - ``d``: request by phone about fees, received 10 March, answered after 1 day,
      closed explained;
    - ``e``: received in February, answered on 3 March after 11 days (late);
    - a cancelled appeal, a sub-case of ``c`` and an appeal of April do not count.
    """
    org.claims.answer_term_days = 5
    org.claims.save()
    policy_admin.create_policy(
        org.adam,
        {"code": "complaints", "name": "Жалобы (закон)", "kinds": ["complaint"], "is_active": True},
        [{"clock": "answer", "term_amount": 15, "term_unit": "working_days", "is_statutory": True}],
    )
    a = register(
        org,
        MONDAY,
        channel=Channel.MAIL,
        category=org.card_fees,
        regulator_forwarded=True,
        regulator_reference="ЦБ-1",
        regulator_letter_date=date(2026, 2, 27),
    )
    b = register(org, MONDAY, channel=Channel.PHONE, category=org.cards)
    c = register(
        org, MONDAY, channel=Channel.PORTAL, kind=org.request, regulator_reference="ЦБ-2"
    )  # the reference implies the flag
    d = register(org, MONDAY + 8 * DAY, channel=Channel.PHONE, kind=org.request, category=org.card_fees)
    e = register(org, MONDAY - 10 * DAY, kind=org.request)  # 20 February
    answer(org, e, MONDAY + DAY)  # 3 March
    at(MONDAY + DAY, services.create_subcase, org.anna, c, subject="Запрос в отдел карт")
    answer(org, a, MONDAY + 3 * DAY)
    close(org, a, Outcome.SATISFIED, MONDAY + 4 * DAY)
    answer(org, d, MONDAY + 9 * DAY)
    close(org, d, Outcome.EXPLAINED, MONDAY + 9 * DAY + timedelta(hours=1))
    answer(org, b, MONDAY + 25 * DAY)
    close(org, b, Outcome.REFUSED, MONDAY + 25 * DAY + timedelta(hours=1))
    cancelled = register(org, MONDAY + DAY, channel=Channel.MAIL, regulator_forwarded=True)
    at(MONDAY + DAY, services.cancel, org.sergey, cancelled, reason="Спам")
    register(org, datetime(2026, 4, 1, 6, 0, tzinfo=UTC), channel=Channel.MAIL, regulator_forwarded=True)
    return March(appeals={"a": a, "b": b, "c": c, "d": d, "e": e})


@pytest.fixture
def march(org: Org) -> March:
    return build_march(org)
