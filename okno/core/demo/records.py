"""What the builder keeps while it works: end states, clients, each appeal's Spec and Plan, the Summary."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from okno.clients.models import Client
from okno.core.demo import people
from okno.core.demo.shapes import OrgDef, Scenario

# End states an appeal's story can stop in (more than statuses: how it got there).
NEW, UNROUTED, IN_WORK, WAITING, ANSWERED, CLOSED = "new", "unrouted", "in_work", "waiting", "answered", "closed"
CANCELLED, MERGED, REOPENED, REOPENED_CLOSED = "cancelled", "merged", "reopened", "reopened_closed"
PENDING, RETURNED, OVERDUE, SUBCASE = "pending", "returned", "overdue", "subcase"

# One service call, made later at its moment in the past.
Step = Callable[[], None]


@dataclass
class ClientRecord:
    """A demo client and what letters say about it."""

    client: Client
    pool: str  # person, sme, employee, shop, asc
    city: str
    person: people.Person | None  # the person, or who signs for the organisation
    shop: str = ""  # «КлиматМаркет» на Ленинском проспекте
    inn: str = ""


@dataclass
class Spec:
    """What one appeal's story will be."""

    index: int
    org: OrgDef
    scenario: Scenario
    variant: int
    client: ClientRecord
    channel: str
    priority: str
    t0: datetime
    end: str
    outcome: str = ""
    unrouted: bool = False
    escalate: bool = False
    with_subcase: bool = False
    tags: list[str] = field(default_factory=list)
    ctx: dict[str, str] = field(default_factory=dict)
    duplicate: bool = False


@dataclass
class Plan:
    """The steps of one appeal's story and what they leave behind."""

    spec: Spec
    steps: list[tuple[datetime, Step]] = field(default_factory=list)
    appeal_id: int = 0
    subcase_id: int = 0
    message_id: int = 0  # the reply in approval
    reg_at: datetime | None = None
    final_at: datetime | None = None
    target: Plan | None = None  # merged into
    broken: bool = False
    rng: random.Random = field(default_factory=random.Random)  # for choices made while it runs

    def add(self, at: datetime, step: Step) -> None:
        self.steps.append((at, step))


@dataclass
class Summary:
    users: int = 0
    clients: int = 0
    appeals: int = 0
    subcases: int = 0
    messages: int = 0
    events: int = 0
    steps: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
