"""A small March of work, built through the real services, that the report tests
(services, pages, API, browser) count. The numbers each report should give are
worked out by hand in the tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine

from okno.appeals import services
from okno.appeals.choices import Channel, Outcome
from okno.appeals.models import Appeal
from okno.clients.services import create_client
from okno.deadlines.calendar_import import install_default_calendar
from okno.testing import Org

# Monday 2 March 2026, 10:00 in Moscow.
MONDAY = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
MARCH = {"period": "custom", "date_from": "2026-03-01", "date_to": "2026-03-31"}


@dataclass
class Month:
    a1: Appeal  # claims, phone, fees (cards), debit card: answered on time, satisfied
    a2: Appeal  # claims, mail, cards: answered late, refused
    a3: Appeal  # claims, mail, fees: open and overdue; a repeat of a1
    a4: Appeal  # support, phone, no category, small-business client: explained, reopened, closed again
    a5: Appeal  # February: claims, phone, fees, partly satisfied (a1 repeats it)
    a6: Appeal  # support, API, cards, no client: open, due in April

    def __getitem__(self, name: str) -> Appeal:
        value: Appeal = getattr(self, name)
        return value


def at(when: datetime, fn: Any, *args: Any, **kwargs: Any) -> Any:
    with time_machine.travel(when, tick=False):
        return fn(*args, **kwargs)


def build_month(org: Org) -> Month:
    install_default_calendar()
    for queue in (org.claims, org.support):
        queue.answer_term_days = 5
        queue.save()
    petr = create_client(None, name="ООО «Ромашка»", kind="organisation", segment="sme")
    day = timedelta(days=1)

    def register(when: datetime, actor: Any = None, **fields: Any) -> Appeal:
        return at(when, org.appeal, actor, **fields)

    def answer(actor: Any, appeal: Appeal, when: datetime) -> None:
        at(when, services.reply, actor, appeal, body_text="Ответ по существу обращения.")

    def close(actor: Any, appeal: Appeal, outcome: str, when: datetime) -> None:
        at(when, services.close, actor, appeal, outcome)

    a5 = register(MONDAY - 28 * day, category=org.card_fees, assignee=org.anna)
    answer(org.anna, a5, MONDAY - 27 * day)
    close(org.anna, a5, Outcome.PARTLY_SATISFIED, MONDAY - 26 * day)

    a1 = register(MONDAY, category=org.card_fees, product=org.debit_card, assignee=org.anna)
    answer(org.anna, a1, MONDAY + day)
    close(org.anna, a1, Outcome.SATISFIED, MONDAY + 2 * day)

    a2 = register(MONDAY + day, channel=Channel.MAIL, category=org.cards, assignee=org.anna)
    answer(org.anna, a2, MONDAY + 12 * day)
    close(org.anna, a2, Outcome.REFUSED, MONDAY + 13 * day)

    a3 = register(MONDAY + 5 * day, channel=Channel.MAIL, category=org.card_fees, assignee=org.anna)

    a4 = register(MONDAY + day, org.boris, queue=org.support, client=petr, assignee=org.boris)
    answer(org.boris, a4, MONDAY + 2 * day)
    close(org.boris, a4, Outcome.EXPLAINED, MONDAY + 3 * day)
    at(MONDAY + 4 * day, services.reopen, org.boris, a4)
    close(org.boris, a4, Outcome.EXPLAINED, MONDAY + 6 * day)

    a6 = register(MONDAY + 27 * day, org.boris, queue=org.support, channel=Channel.API, category=org.cards, client=None)
    return Month(
        a1=a1,
        a2=a2,
        a3=a3,
        a4=a4,
        a5=a5,
        a6=a6,
    )
