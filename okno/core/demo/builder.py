"""Building the demo installation.

Reference data (queues, categories, products) and staff are written directly, as
an administrator would through the admin. Clients and every appeal go through the
real services, so events, numbering and the search index are exactly what live
use produces. History lies in the past: each step runs at its own moment under
``time_machine.travel``, steps of all appeals interleaved in time order.

The run is deterministic for a seed: all choices come from one ``random.Random``
and all times from the moment the run started.
"""

from __future__ import annotations

import itertools
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import time_machine
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.appeals import delivery
from okno.appeals.choices import Channel, LinkKind, Priority, Status
from okno.appeals.models import Appeal, Category, Event, Kind, Message
from okno.appeals.services import (
    Actor,
    InboundContent,
    IncomingFile,
    SystemActor,
    add_message,
    add_note,
    approve_reply,
    assign,
    cancel,
    change_status,
    close,
    create_subcase,
    link,
    merge,
    register_appeal,
    reopen,
    reply,
    return_reply,
    revise_reply,
    update_fields,
)
from okno.catalog.models import Product
from okno.clients.choices import ClientKind, ContactKind
from okno.clients.models import Client
from okno.clients.services import ContactInput, create_client
from okno.core.demo import files, people
from okno.core.demo.bank import BANK
from okno.core.demo.climate import CLIMATE
from okno.core.demo.shapes import OrgDef, Scenario, StaffDef
from okno.core.errors import Conflict, InvalidInput, NotFound
from okno.live.models import LiveMessage
from okno.queues.models import Membership, Queue

PASSWORD = "demo"
WINDOW_DAYS = 120
ORGS = (BANK, CLIMATE)
COMMON_STAFF = (
    StaffDef("admin", Role.ADMIN, "Морозов", "Андрей", "Викторович"),
    StaffDef("dispatcher", Role.DISPATCHER, "Волкова", "Дина", "Рашидовна"),
    StaffDef("compliance", Role.COMPLIANCE, "Лебедева", "Кира", "Олеговна"),
)
KINDS = {
    "complaint": ("Жалоба", "Complaint"),
    "claim": ("Претензия", "Claim"),
    "warranty_claim": ("Рекламация", "Warranty claim"),
    "request": ("Заявка", "Request"),
    "consultation": ("Консультация", "Consultation"),
    "gratitude": ("Благодарность", "Gratitude"),
}
# End states an appeal's story can stop in (more than statuses: how it got there).
NEW, UNROUTED, IN_WORK, WAITING, ANSWERED, CLOSED = "new", "unrouted", "in_work", "waiting", "answered", "closed"
CANCELLED, MERGED, REOPENED, REOPENED_CLOSED = "cancelled", "merged", "reopened", "reopened_closed"
PENDING, RETURNED, OVERDUE, SUBCASE = "pending", "returned", "overdue", "subcase"
# One appeal of each of these comes first, so even a tiny demo shows every state.
REQUIRED: tuple[tuple[str, str], ...] = (
    (CLOSED, "satisfied"),
    (CLOSED, "refused"),
    (CLOSED, "partly_satisfied"),
    (CLOSED, "explained"),
    (NEW, ""),
    (UNROUTED, ""),
    (IN_WORK, ""),
    (WAITING, ""),
    (ANSWERED, ""),
    (CANCELLED, ""),
    (MERGED, ""),
    (REOPENED, ""),
    (REOPENED_CLOSED, ""),
    (PENDING, ""),
    (RETURNED, ""),
    (PENDING, ""),
    (OVERDUE, ""),
    (SUBCASE, "satisfied"),
)
OUTCOME_WEIGHTS = {"satisfied": 40, "explained": 30, "refused": 20, "partly_satisfied": 12}
SYSTEM_CHANNELS = (Channel.MAIL, Channel.PORTAL, Channel.MESSENGER, Channel.API)
MONTHS = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
MERCHANTS = ("«Электроника 24»", "PAYSTORE*GAMES", "TRAVELPAY*AIR", "«МегаСтрой»", "«Вкусный дом»", "«СпортЛайн»")
OTHER_BANKS = ("банк «Восток»", "банк «Волжский кредит»", "банк «Уральский капитал»", "банк «Северо-Запад»")
PHONE_MODELS = ("Samsung Galaxy A54", "Xiaomi Redmi Note 12", "Honor X8", "Tecno Spark 20", "iPhone 13")
ERRORS = ("E1", "E5", "E6", "F3", "H6", "P4")
# (as in an address, after «на …»)
STREETS = (
    ("ул. Ленина", "улице Ленина"),
    ("пр-т Мира", "проспекте Мира"),
    ("ул. Гагарина", "улице Гагарина"),
    ("Садовая ул.", "Садовой улице"),
    ("ул. Советская", "Советской улице"),
    ("пр-т Победы", "проспекте Победы"),
    ("ул. Пушкина", "улице Пушкина"),
    ("Московское ш.", "Московском шоссе"),
    ("Лесная ул.", "Лесной улице"),
    ("ул. Горького", "улице Горького"),
)
CITIES = {
    "Москва": ("495", "101"),
    "Санкт-Петербург": ("812", "190"),
    "Казань": ("843", "420"),
    "Екатеринбург": ("343", "620"),
    "Новосибирск": ("383", "630"),
    "Нижний Новгород": ("831", "603"),
    "Самара": ("846", "443"),
    "Краснодар": ("861", "350"),
    "Воронеж": ("473", "394"),
    "Пермь": ("342", "614"),
    "Уфа": ("347", "450"),
    "Челябинск": ("351", "454"),
    "Тюмень": ("345", "625"),
}
CANCEL_REASONS = (
    "Клиент отозвал обращение: вопрос решён по телефону.",
    "Ошибочная регистрация: письмо адресовано другой организации.",
    "Спам.",
    "Клиент не подтвердил обращение, связаться не удалось.",
)
MERGE_COMMENTS = ("Клиент продублировал обращение по другому каналу.", "Повторное письмо по тому же вопросу.")
RETURN_COMMENTS = (
    "Добавьте номер и дату входящего письма Банка России и срок исполнения.",
    "Слишком категорично. Смягчите формулировку и приложите расчёт.",
    "Уберите ссылку на внутренний регламент, клиенту она ничего не скажет.",
)
REOPEN_COMMENTS = (
    "Клиент позвонил: с ответом не согласен, просит проверить повторно.",
    "Руководитель: ответ неполный, вернуть в работу.",
)
PRIORITY_RAISE = ("Клиент ссылается на обращение в Банк России.", "Повторное обращение, держим на контроле.")
HOURS = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 10, 10, 9, 9, 8, 7, 6, 5, 4, 3, 2]

T = TypeVar("T")
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


def _rub(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0₽"


@contextmanager
def _no_delivery() -> Iterator[None]:
    """Demo replies are recorded as sent; no channel plug-in may really send them."""
    saved = dict(delivery._senders)
    delivery._senders.clear()
    try:
        yield
    finally:
        delivery._senders.update(saved)


class DemoBuilder:
    """Creates the demo organisations and ``appeals`` appeals of history."""

    def __init__(self, *, appeals: int = 400, seed: int = 1, progress: bool = True) -> None:
        self.count = appeals
        self.seed = seed
        self.rng = random.Random(seed)
        self.progress = progress
        self.now = timezone.now().replace(microsecond=0)
        self.start = self.now - timedelta(days=WINDOW_DAYS)
        self.summary = Summary()
        self.users: dict[str, User] = {}
        self.queues: dict[str, Queue] = {}
        self.queue_defs = {q.code: q for org in ORGS for q in org.queues}
        self.members: dict[str, list[User]] = {}
        self.categories: dict[str, Category] = {}
        self.products: dict[str, Product] = {}
        self.models: dict[str, str] = {}
        self.kinds: dict[str, Kind] = {}
        self.pools: dict[tuple[str, str], list[ClientRecord]] = {}
        self.shops: list[str] = []
        self.ascs: list[tuple[str, str]] = []  # (how letters name it, city)
        self.emails: set[str] = set()
        self.pace = 1.0

    # --- helpers -----------------------------------------------------------------

    def pick(self, seq: Sequence[T]) -> T:
        return seq[self.rng.randrange(len(seq))]

    def weighted(self, weights: Mapping[str, float]) -> str:
        keys = [k for k, w in weights.items() if w > 0]
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def between(self, low: timedelta, high: timedelta) -> timedelta:
        """A random span; shorter while a story is being squeezed into little time (``pace``)."""
        return (low + (high - low) * self.rng.random()) * self.pace

    def working(self, at: datetime) -> datetime:
        """``at``, or the next working morning if it falls outside 9:00–19:00 on a weekday."""
        local = timezone.localtime(at)
        jitter = self.rng.randint(0, 80)  # drawn either way: the random stream must not depend on the clock
        if local.weekday() < 5 and 9 <= local.hour < 19:
            return at
        day = local.date() if local.hour < 9 else local.date() + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        morning = local.replace(year=day.year, month=day.month, day=day.day, hour=9, minute=0, second=0)
        return morning + timedelta(minutes=jitter)

    def staff_after(self, at: datetime, low: timedelta, high: timedelta) -> datetime:
        return self.working(at + self.between(low, high))

    # --- reference data and people -------------------------------------------------

    def build_reference(self) -> None:
        for code, (name, name_en) in KINDS.items():
            self.kinds[code], _ = Kind.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
        for org in ORGS:
            for position, qdef in enumerate(org.queues, start=len(self.queues)):
                queue, _ = Queue.objects.get_or_create(
                    code=qdef.code,
                    defaults={
                        "name": qdef.name,
                        "name_en": qdef.name_en,
                        "description": qdef.description,
                        "answer_term_days": qdef.term_days,
                        "requires_reply_approval": qdef.approval,
                        "position": position,
                    },
                )
                self.queues[qdef.code] = queue
            for position, cdef in enumerate(org.categories, start=len(self.categories)):
                parent, _ = Category.objects.get_or_create(
                    code=cdef.code, defaults={"name": cdef.name, "name_en": cdef.name_en, "position": position}
                )
                self.categories[cdef.code] = parent
                for sub_position, (code, name, name_en) in enumerate(cdef.children):
                    self.categories[code], _ = Category.objects.get_or_create(
                        code=code,
                        defaults={"name": name, "name_en": name_en, "parent": parent, "position": sub_position},
                    )
            for pdef in org.products:
                group = self.products.get(pdef.group) if pdef.group else None
                self.products[pdef.code], _ = Product.objects.get_or_create(
                    code=pdef.code, defaults={"name": pdef.name, "name_en": pdef.name_en, "group": group}
                )
                self.models[pdef.code] = pdef.model or pdef.name

    def build_staff(self) -> None:
        password = make_password(PASSWORD)
        joined = self.start - timedelta(days=400)
        everyone = [(sdef, "okno.example.com") for sdef in COMMON_STAFF]
        everyone += [(sdef, org.domain) for org in ORGS for sdef in org.staff]
        for sdef, domain in everyone:
            user = User.objects.filter(username=sdef.username).first()
            if user is None:
                email = f"{people.translit(sdef.first_name)[0]}.{people.translit(sdef.last_name)}@{domain}"
                user = User.objects.create(
                    username=sdef.username,
                    password=password,
                    role=sdef.role,
                    first_name=sdef.first_name,
                    last_name=sdef.last_name,
                    patronymic=sdef.patronymic,
                    email=email,
                    is_superuser=sdef.role == Role.ADMIN,
                    date_joined=joined,
                )
                self.summary.users += 1
            self.users[sdef.username] = user
            for code in sdef.queues:
                Membership.objects.get_or_create(queue=self.queues[code], user=user)
                self.members.setdefault(code, []).append(user)

    def _client(self, **fields: Any) -> Client:
        """A client created at some moment before the demo period."""
        at = self.start - timedelta(days=self.rng.randint(20, 1500), minutes=self.rng.randint(0, 1440))
        with time_machine.travel(at, tick=False):
            client = create_client(None, **fields)
        self.summary.clients += 1
        return client

    def _address(self, city: str) -> str:
        street = self.pick(STREETS)[0]
        return (
            f"{CITIES.get(city, ('', '100'))[1]}{self.rng.randint(0, 999):03d}, г. {city}, {street}, "
            f"д. {self.rng.randint(1, 120)}, кв. {self.rng.randint(1, 250)}"
        )

    def _person_client(self, org: OrgDef, city: str, parent: Client | None = None) -> ClientRecord:
        who = people.person(self.rng)
        contacts = [
            ContactInput(ContactKind.PHONE, people.mobile_phone(self.rng), is_primary=True),
            ContactInput(ContactKind.EMAIL, people.email_for(self.rng, who, self.emails), is_primary=True),
        ]
        if self.rng.random() < 0.15:
            handle = f"@{people.translit(who.first_name)}_{people.translit(who.last_name)[:3]}{self.rng.randint(1, 99)}"
            contacts.append(ContactInput(ContactKind.TELEGRAM, handle))
        vip = parent is None and org.code == "bank" and self.rng.random() < 0.06
        client = self._client(
            name=who.full_name,
            kind=ClientKind.PERSON,
            contacts=contacts,
            parent=parent,
            is_vip=vip,
            segment="partner" if parent is not None else "retail",
            external_id=f"{self.rng.randint(1_000_000, 9_999_999)}" if org.code == "bank" else "",
            postal_address=self._address(city) if parent is None and self.rng.random() < 0.5 else "",
        )
        return ClientRecord(client, "employee" if parent else "person", city, who)

    def build_clients(self) -> None:
        for org in ORGS:
            cities = list(CITIES)
            for odef in org.client_orgs:
                area = CITIES.get(odef.city, ("495", "101"))[0]
                slug = people.translit(odef.name.split("«")[-1].strip("» ")).replace(" ", "-") or "org"
                signer = people.person(self.rng)
                inn = (
                    people.inn_person(self.rng, odef.inn_region)
                    if odef.sole_trader
                    else people.inn_legal(self.rng, odef.inn_region)
                )
                client = self._client(
                    name=odef.name,
                    kind=ClientKind.ORGANISATION,
                    contacts=[
                        ContactInput(ContactKind.EMAIL, f"info@{slug}.example.com", is_primary=True),
                        ContactInput(ContactKind.PHONE, people.office_phone(self.rng, area), is_primary=True),
                    ],
                    segment=odef.segment,
                    tax_id=inn,
                    postal_address=self._address(odef.city).rsplit(", кв.", 1)[0],
                    notes="Авторизованный сервисный центр ТермоЛайн." if odef.pool == "asc" else "",
                )
                record = ClientRecord(client, odef.pool, odef.city, signer, inn=inn)
                if odef.pool == "asc":
                    if odef.sole_trader:  # «ИП Гарипов Ринат Рустемович» → «ИП Гарипов Р. Р.»
                        parts = odef.name.split()
                        short = f"{parts[0]} {parts[1]} {parts[2][0]}. {parts[3][0]}."
                    else:  # «ООО «Холод-Сервис»» → «Холод-Сервис»
                        short = odef.name.split(" ", 1)[1]
                    self.ascs.append((f"{short} ({odef.city})", odef.city))
                self.pools.setdefault((org.code, odef.pool), []).append(record)
                for shop_name, shop_city in odef.children:
                    shop_short = shop_name.split(" ", 1)[1]
                    shop = self._client(
                        name=shop_name,
                        kind=ClientKind.ORGANISATION,
                        contacts=[
                            ContactInput(
                                ContactKind.PHONE,
                                people.office_phone(self.rng, CITIES.get(shop_city, (area, ""))[0]),
                                is_primary=True,
                            )
                        ],
                        parent=client,
                        segment="partner",
                        postal_address=self._address(shop_city).rsplit(", кв.", 1)[0],
                    )
                    self.shops.append(shop_short)
                    shop_record = ClientRecord(shop, "shop", shop_city, people.person(self.rng), shop=shop_short)
                    self.pools.setdefault((org.code, "shop"), []).append(shop_record)
                    for _ in range(self.rng.randint(1, 2)):
                        employee = self._person_client(org, shop_city, parent=shop)
                        employee.shop = shop_short
                        self.pools.setdefault((org.code, "employee"), []).append(employee)
            for _ in range(org.persons):
                record = self._person_client(org, self.pick(cities))
                self.pools.setdefault((org.code, "person"), []).append(record)
        for (org_code, _pool), records in self.pools.items():
            for record in records:
                if org_code == CLIMATE.code and not record.shop:
                    record.shop = self.pick(self.shops)

    # --- choosing what happens ---------------------------------------------------

    def _context(self, spec: Spec) -> dict[str, str]:
        rng = self.rng
        t0 = timezone.localtime(spec.t0)
        before = t0 - timedelta(days=rng.randint(1, 20))
        after = t0 + timedelta(days=rng.randint(3, 20))
        previous_month = (t0.replace(day=1) - timedelta(days=1)).month
        sc = spec.scenario
        ac_products = [p for p in sc.products if not p.startswith("clim-part")]
        part_products = [p for p in sc.products if p.startswith("clim-part")]
        model_code = self.pick(ac_products) if ac_products else "clim-arctic-09"
        part_code = self.pick(part_products) if part_products else "clim-part-board"
        asc_city = [a for a, city in self.ascs if city == spec.client.city]
        street = self.pick(STREETS)[1]
        return {
            "date": before.strftime("%d.%m.%Y"),
            "date2": after.strftime("%d.%m.%Y"),
            "month": MONTHS[previous_month - 1],
            "card": f"{rng.randint(0, 9999):04d}",
            "contract": f"№ {rng.randint(10, 99)}-{rng.randint(100000, 999999)}",
            "amount": _rub(rng.randint(3, 150) * 100 - rng.choice([0, 1, 10, 50])),
            "amount2": _rub(rng.randint(20, 300) * 100),
            "amount3": _rub(rng.randint(50, 600) * 100),
            "amount_small": _rub(rng.randint(5, 300) * 10 + rng.randint(0, 9)),
            "amount_big": _rub(rng.randint(15, 250) * 1000 + rng.randint(0, 99) * 10),
            "amount_cash": _rub(rng.randint(1, 50) * 1000),
            "merchant": self.pick(MERCHANTS),
            "street": f"{street}, {rng.randint(1, 90)}",
            "other_bank": self.pick(OTHER_BANKS),
            "phone_model": self.pick(PHONE_MODELS),
            "model": self.models.get(model_code, "Arctic TL-09HR"),
            "part": self.models.get(part_code, "плата управления"),
            "serial": f"TL{t0.year % 100 - rng.randint(0, 2):02d}{rng.randint(1, 12):02d}{rng.randint(0, 99999):05d}",
            "batch": f"{rng.randint(24, 26)}{rng.randint(1, 12):02d}-B{rng.randint(1, 40)}",
            "asc": self.pick(asc_city) if asc_city else self.pick(self.ascs)[0],
            "error": self.pick(ERRORS),
            "order": f"№ РН-{rng.randint(10000, 99999)}",
            "track": f"{rng.randint(1000000000, 9999999999)}",
            "act": f"{rng.randint(100, 999)}/{t0.year % 100}",
            "qty": str(rng.randint(2, 12)),
            "stars": str(rng.randint(1, 3)),
        }

    def render(self, template: str, spec: Spec) -> str:
        client = spec.client
        who = client.person
        values = {
            **spec.ctx,
            "client_full": who.full_name if who and client.client.kind == ClientKind.PERSON else client.client.name,
            "client_name": client.client.name,
            "inn": client.inn,
            "city": client.city,
            "shop": client.shop or (self.shops[spec.index % len(self.shops)] if self.shops else ""),
        }
        return template.format_map(values)

    def pick_text(self, options: Sequence[str], spec: Spec) -> str:
        return self.render(options[spec.variant % len(options)], spec)

    def pick_note(self, options: Sequence[str], outcome: str) -> str:
        """A note that does not contradict the answer to come: ``"[refused] …"``
        fits only a refusal; unmarked notes fit anything."""
        fitting = []
        for option in options:
            if option.startswith("["):
                marks, _, text = option[1:].partition("] ")
                if not outcome or outcome in marks.split():
                    fitting.append(text)
            else:
                fitting.append(option)
        return self.pick(fitting) if fitting else ""

    def _end_for_age(self, age: float, term: int, sc: Scenario) -> str:
        approval = self.queue_defs[sc.queue].approval
        weights: dict[str, float]
        if age < 1:
            weights = {NEW: 50, UNROUTED: 6, IN_WORK: 30, WAITING: 3, CANCELLED: 3, ANSWERED: 5}
        elif age < 3:
            weights = {NEW: 20, IN_WORK: 35, WAITING: 15, ANSWERED: 12, CLOSED: 12, CANCELLED: 3, MERGED: 3}
        elif age < min(7, term * 0.6):
            weights = {NEW: 5, IN_WORK: 30, WAITING: 18, ANSWERED: 16, CLOSED: 22, CANCELLED: 3, MERGED: 3}
        elif age < term:
            weights = {IN_WORK: 12, WAITING: 8, ANSWERED: 14, CLOSED: 56, CANCELLED: 3, MERGED: 4, REOPENED: 2}
        else:
            weights = {
                OVERDUE: 1.5,
                ANSWERED: 5,
                CLOSED: 78,
                CANCELLED: 5,
                MERGED: 4,
                REOPENED: 2,
                REOPENED_CLOSED: 4,
            }
        if approval:
            for end in (WAITING, REOPENED, REOPENED_CLOSED):
                weights.pop(end, None)
            if age < term:
                weights.update({PENDING: 30, RETURNED: 4})
        return self.weighted(weights)

    def _outcome(self, sc: Scenario) -> str:
        return self.weighted({o: OUTCOME_WEIGHTS[o] for o in sc.answers})

    def _age_for(self, end: str, term: int) -> float:
        ranges = {
            NEW: (0.02, 1.5),
            UNROUTED: (0.02, 1.0),
            IN_WORK: (0.1, max(1.0, term * 0.8)),
            WAITING: (1.0, max(2.0, term * 0.8)),
            ANSWERED: (2.0, 40.0),
            CANCELLED: (1.0, 100.0),
            MERGED: (2.0, 100.0),
            REOPENED: (term + 3.0, 110.0),
            REOPENED_CLOSED: (term + 12.0, 115.0),
            PENDING: (1.0, max(2.0, term * 0.7)),
            RETURNED: (1.5, max(2.5, term * 0.7)),
            OVERDUE: (term + 2.0, term + 15.0),
        }
        low, high = ranges.get(end, (6.0, 115.0))
        return low + (min(high, WINDOW_DAYS - 1) - low) * self.rng.random()

    def _moment(self, age_days: float, channel: str) -> datetime:
        """When an appeal ``age_days`` old came in: daytime mostly, calls in office hours."""
        day = timezone.localtime(self.now - timedelta(days=age_days)).replace(second=0)
        at = day.replace(hour=self.rng.choices(range(24), weights=HOURS)[0], minute=self.rng.randint(0, 59))
        if channel in (Channel.PHONE, Channel.IN_PERSON):
            at = self.working(at)
        return min(at, self.now - timedelta(minutes=self.rng.randint(10, 90)))

    def _scenario_for(self, org: OrgDef, end: str, outcome: str) -> Scenario:
        candidates = [s for s in org.scenarios if self._fits(s, end, outcome)]
        return self.rng.choices(candidates, weights=[s.weight for s in candidates])[0]

    def _fits(self, sc: Scenario, end: str, outcome: str) -> bool:
        approval = self.queue_defs[sc.queue].approval
        if end in (PENDING, RETURNED):
            return approval
        if approval:
            return end in (CLOSED, NEW, IN_WORK, ANSWERED, CANCELLED) and (not outcome or outcome in sc.answers)
        if end == UNROUTED and not set(sc.channels) & set(SYSTEM_CHANNELS):
            return False
        if end == SUBCASE:
            return sc.subcase is not None and outcome in sc.answers
        return not outcome or outcome in sc.answers

    def make_specs(self) -> list[Spec]:
        specs: list[Spec] = []
        used_channels: set[str] = set()
        used_priorities: set[str] = set()
        for index in range(self.count):
            if index < len(REQUIRED):
                end, outcome = REQUIRED[index]
                org = BANK if end in (PENDING, RETURNED) or index % 2 == 0 else CLIMATE
                sc = self._scenario_for(org, end, outcome)
                term = self.queue_defs[sc.queue].term_days
                age = self._age_for(end, term)
                channels = {c: w for c, w in sc.channels.items() if end != UNROUTED or c in SYSTEM_CHANNELS}
                fresh = {c: w for c, w in channels.items() if c not in used_channels}
                channel = self.weighted(fresh or channels)
                priority = next((p for p in Priority.values if p not in used_priorities), "")
                priority = priority or self.weighted(sc.priorities)
            else:
                org = BANK if self.rng.random() * 100 < BANK.weight else CLIMATE
                sc = self.rng.choices(org.scenarios, weights=[s.weight for s in org.scenarios])[0]
                term = self.queue_defs[sc.queue].term_days
                # A steady flow over the period, and the last two days' mail still in the inbox.
                recent = self.rng.random() < 0.08
                age = 2 * self.rng.random() if recent else WINDOW_DAYS * (self.rng.random() ** 1.15)
                end = self._end_for_age(age, term, sc)
                outcome = ""
                channel = self.weighted(sc.channels)
                priority = self.weighted(sc.priorities)
                if end == UNROUTED and channel not in SYSTEM_CHANNELS:
                    end = NEW
            used_channels.add(channel)
            used_priorities.add(priority)
            if end in (CLOSED, SUBCASE, REOPENED, REOPENED_CLOSED) and not outcome:
                outcome = self._outcome(sc)
            pools = {p: w for p, w in sc.clients.items() if self.pools.get((org.code, p))}
            client = self.pick(self.pools[(org.code, self.weighted(pools or {"person": 1}))])
            if client.client.is_vip and priority in (Priority.LOW, Priority.NORMAL):
                priority = Priority.HIGH
            variant = self.rng.randrange(max(len(sc.texts), 1))
            spec = Spec(
                index=index,
                org=org,
                scenario=sc,
                variant=variant,
                client=client,
                channel=channel,
                priority=priority,
                t0=self._moment(age, channel),
                end=end,
                outcome=outcome,
            )
            spec.unrouted = end == UNROUTED or (
                channel in (Channel.MAIL, Channel.PORTAL) and end not in (MERGED, NEW) and self.rng.random() < 0.07
            )
            spec.escalate = (
                not spec.unrouted
                and channel in (Channel.PHONE, Channel.IN_PERSON, Channel.MESSENGER)
                and sc.queue != org.front_queue
                and self.rng.random() < 0.7
            )
            spec.with_subcase = end == SUBCASE or (sc.subcase is not None and self.rng.random() < sc.subcase.chance)
            spec.tags = [t for t in sc.tags if self.rng.random() < 0.5]
            if client.client.is_vip:
                spec.tags.append("VIP")
            spec.ctx = self._context(spec)
            specs.append(spec)
        self._cover(specs)
        return specs

    def _cover(self, specs: list[Spec]) -> None:
        """Make sure every channel and priority appears at least once."""
        movable = [s for s in specs[len(REQUIRED) :] if s.end not in (UNROUTED, MERGED)]
        for channel in Channel.values:
            if any(s.channel == channel for s in specs):
                continue
            fits = [s for s in movable if channel in s.scenario.channels] or movable
            if fits:
                spec = self.pick(fits)
                spec.channel = channel
                spec.escalate = spec.escalate and channel in (Channel.PHONE, Channel.IN_PERSON, Channel.MESSENGER)
                movable.remove(spec)
        for priority in Priority.values:
            if not any(s.priority == priority for s in specs) and movable:
                movable.pop().priority = priority

    # --- turning a story into steps ------------------------------------------------

    def worker_for(self, queue_code: str, avoid: User | None = None) -> User:
        members = [u for u in self.members[queue_code] if u.role != Role.SUPERVISOR and u != avoid]
        members = members or self.members[queue_code]
        weights = [3 if u.username == "agent" else 2 if u.role == Role.SPECIALIST else 1 for u in members]
        return self.rng.choices(members, weights=weights)[0]

    def registrar_for(self, spec: Spec, queue_code: str) -> Actor:
        if spec.channel in (Channel.PHONE, Channel.IN_PERSON):
            members = [u for u in self.members[queue_code] if u.role in (Role.AGENT, Role.SPECIALIST)]
            return self.pick(members or self.members[queue_code])
        if spec.channel == Channel.PAPER:
            return self.users[spec.org.dispatcher]
        return SystemActor(str(spec.channel))

    def plan(self, spec: Spec) -> Plan:
        """The story's steps; a story that would run past now is told faster."""
        # Each story draws from a stream of its own: squeezing one (which depends on the
        # clock) cannot shift the choices of all the others.
        shared, self.pace = self.rng, 1.0
        for _attempt in range(4):
            self.rng = random.Random(f"{self.seed}/plan/{spec.index}")
            p = self._plan(spec)
            assert p.reg_at is not None
            last = max(at for at, _ in p.steps)
            if last <= self.now - timedelta(minutes=2) or len(p.steps) < 2:
                break
            self.pace = max(0.01, self.pace * 0.8 * (self.now - p.reg_at) / (last - p.reg_at))
        self.rng, self.pace = shared, 1.0
        p.rng = random.Random(f"{self.seed}/run/{spec.index}")
        return self._fit(p)

    def _plan(self, spec: Spec) -> Plan:
        p = Plan(spec)
        org, sc, end = spec.org, spec.scenario, spec.end
        final_queue = sc.queue
        reg_queue: str | None = None if spec.unrouted else org.front_queue if spec.escalate else final_queue
        registrar = self.registrar_for(spec, reg_queue or org.front_queue)
        worker = self.worker_for(final_queue)
        supervisor = self.users[org.supervisor]
        dispatcher = self.users[org.dispatcher]
        assigned = (
            isinstance(registrar, User)
            and reg_queue == final_queue
            and registrar in self.members[final_queue]
            and end not in (NEW, UNROUTED, CANCELLED, MERGED)
            and self.rng.random() < 0.7
        )
        if assigned:
            assert isinstance(registrar, User)
            worker = registrar
        if spec.channel == Channel.PAPER:  # the post is opened the next working day
            reg_at = self.working(spec.t0 + timedelta(hours=self.rng.randint(12, 40)))
        elif spec.channel in (Channel.PHONE, Channel.IN_PERSON):  # written down after the talk
            reg_at = spec.t0 + timedelta(minutes=self.rng.randint(3, 15))
        elif spec.channel == Channel.MAIL:  # the mailbox robot polls every 10 minutes
            reg_at = spec.t0 + timedelta(seconds=self.rng.randint(30, 600))
        else:
            reg_at = spec.t0 + timedelta(seconds=self.rng.randint(1, 40))
        reg_at = max(spec.t0, min(reg_at, self.now - timedelta(minutes=3)))
        p.reg_at = reg_at
        p.add(reg_at, self.step_register(p, registrar, reg_queue, worker if assigned else None))
        t = reg_at
        if end in (NEW, UNROUTED):
            return p
        if end == CANCELLED:
            t = self.staff_after(t, timedelta(minutes=20), timedelta(days=2))
            actor = dispatcher if spec.unrouted or self.rng.random() < 0.5 else supervisor
            p.add(t, self.step(p, cancel, actor, reason=self.pick(CANCEL_REASONS)))
            p.final_at = t
            return p
        if end == MERGED:
            t = self.staff_after(t, timedelta(minutes=30), timedelta(hours=8))
            p.add(t, self.step_merge(p, dispatcher))
            p.final_at = t
            return p
        if spec.unrouted:
            t = self.staff_after(t, timedelta(minutes=10), timedelta(hours=20))
            changes = {"queue": self.queues[final_queue], "category": self.categories[sc.category]}
            p.add(t, self.step(p, update_fields, dispatcher, changes, comment="Очередь определена по содержанию."))
        if spec.escalate:
            # The first line takes the call or chat and passes it to the team that handles such cases.
            first_line = registrar if isinstance(registrar, User) else self.worker_for(org.front_queue)
            t += self.between(timedelta(minutes=5), timedelta(minutes=40))
            changes = {"queue": self.queues[final_queue]}
            p.add(t, self.step(p, update_fields, first_line, changes, comment="Передано во вторую линию."))
        if not assigned:
            t = self.staff_after(t, timedelta(minutes=10), timedelta(hours=20))
            assigner = worker if self.rng.random() < 0.4 else dispatcher if self.rng.random() < 0.5 else supervisor
            p.add(t, self.step(p, assign, assigner, worker))
        t = self.staff_after(t, timedelta(minutes=2), timedelta(hours=3))
        p.add(t, self.step(p, change_status, worker, Status.IN_WORK))
        if self.rng.random() < 0.07 and spec.priority in (Priority.LOW, Priority.NORMAL):
            t = self.staff_after(t, timedelta(minutes=30), timedelta(hours=6))
            raise_to: dict[str, Any] = {"priority": Priority.HIGH}
            p.add(t, self.step(p, update_fields, supervisor, raise_to, comment=self.pick(PRIORITY_RAISE)))
        if self.rng.random() < 0.1:
            t = self.staff_after(t, timedelta(minutes=30), timedelta(hours=6))
            p.add(t, self.step_tag(p, worker, self.pick(org.later_tags)))
        if end not in (IN_WORK, OVERDUE, WAITING) and not spec.outcome:
            spec.outcome = self._outcome(sc)
        note = self.pick_note(sc.notes, spec.outcome)
        if note and self.rng.random() < 0.6:
            t = self.staff_after(t, timedelta(hours=1), timedelta(days=2))
            p.add(t, self.step_note(p, worker, note))
        approval = self.queue_defs[final_queue].approval
        ask = sc.ask[spec.variant % len(sc.ask)] if sc.ask else org.generic_ask
        if end == WAITING:
            t = self.staff_after(t, timedelta(hours=1), timedelta(days=2))
            p.add(t, self.step_reply(p, worker, ask, Status.WAITING_CLIENT))
            return p
        if sc.ask and not approval and self.rng.random() < 0.45:
            t = self.staff_after(t, timedelta(hours=1), timedelta(days=2))
            p.add(t, self.step_reply(p, worker, ask, Status.WAITING_CLIENT))
            t += self.between(timedelta(hours=3), timedelta(days=3))
            followup = sc.followups[spec.variant % len(sc.followups)] if sc.followups else ""
            if followup:
                p.add(t, self.step_inbound(p, followup, worker))
        if spec.with_subcase and sc.subcase is not None and end not in (PENDING, RETURNED):
            t = self.plan_subcase(p, worker, t)
        if end in (IN_WORK, OVERDUE):
            if self.rng.random() < 0.5:
                t = self.staff_after(t, timedelta(hours=2), timedelta(days=3))
                p.add(t, self.step_note(p, worker, self.pick(org.generic_notes)))
            return p
        outcome = spec.outcome or self._outcome(sc)
        spec.outcome = outcome
        answer = sc.answers[outcome][spec.variant % len(sc.answers[outcome])]
        t = self.staff_after(t, timedelta(hours=2), timedelta(days=3))
        p.add(t, self.step_reply(p, worker, answer, Status.ANSWERED))
        if end == PENDING:
            return p
        if end == RETURNED:
            t = self.staff_after(t, timedelta(hours=1), timedelta(days=1))
            p.add(t, self.step_return(p, supervisor, self.pick(RETURN_COMMENTS)))
            return p
        if approval:
            if self.rng.random() < 0.25:
                t = self.staff_after(t, timedelta(hours=1), timedelta(days=1))
                p.add(t, self.step_return(p, supervisor, self.pick(RETURN_COMMENTS)))
                t = self.staff_after(t, timedelta(hours=1), timedelta(days=1))
                p.add(t, self.step_revise(p, worker, answer))
            t = self.staff_after(t, timedelta(minutes=30), timedelta(days=1))
            p.add(t, self.step_approve(p, supervisor))
        if end == ANSWERED:
            return p
        t = self.staff_after(t, timedelta(hours=1), timedelta(days=4))
        p.add(t, self.step(p, close, worker, outcome))
        p.final_at = t
        if end in (REOPENED, REOPENED_CLOSED):
            t += self.between(timedelta(days=2), timedelta(days=9))
            if self.rng.random() < 0.7:
                p.add(t, self.step_inbound(p, self.pick(org.reopen_texts), worker))
            else:
                t = self.working(t)
                p.add(t, self.step(p, reopen, supervisor, comment=self.pick(REOPEN_COMMENTS)))
            if end == REOPENED_CLOSED:
                t = self.staff_after(t, timedelta(hours=2), timedelta(days=2))
                p.add(t, self.step_note(p, worker, self.pick(org.generic_notes)))
                t = self.staff_after(t, timedelta(hours=2), timedelta(days=3))
                second = "Мы повторно рассмотрели ваше обращение. " + answer
                p.add(t, self.step_reply(p, worker, second, Status.ANSWERED))
                t = self.staff_after(t, timedelta(hours=2), timedelta(days=3))
                p.add(t, self.step(p, close, worker, outcome, comment="Закрыто повторно после проверки."))
        return p

    def plan_subcase(self, p: Plan, worker: User, t: datetime) -> datetime:
        sub = p.spec.scenario.subcase
        assert sub is not None
        sub_worker = self.worker_for(sub.queue, avoid=worker)
        t = self.staff_after(t, timedelta(hours=1), timedelta(days=1))
        p.add(t, self.step_subcase(p, worker, sub_worker))
        t = self.staff_after(t, timedelta(minutes=30), timedelta(hours=20))
        p.add(t, self.step_sub(p, change_status, sub_worker, Status.IN_WORK))
        notes = [self.pick_note([n], p.spec.outcome) for n in sub.notes]
        for note in [n for n in notes if n][: self.rng.randint(1, len(sub.notes))]:
            t = self.staff_after(t, timedelta(hours=4), timedelta(days=3))
            p.add(t, self.step_sub_note(p, sub_worker, note))
        if p.spec.end not in (IN_WORK, OVERDUE, ANSWERED) or self.rng.random() < 0.5:
            t = self.staff_after(t, timedelta(hours=1), timedelta(days=1))
            p.add(t, self.step_sub(p, close, sub_worker, sub.outcome))
        return t

    def _fit(self, p: Plan) -> Plan:
        """Squeeze a story that would run past now into the time it has."""
        assert p.reg_at is not None
        latest = self.now - timedelta(minutes=2)
        last = max(at for at, _ in p.steps)
        if last > latest and len(p.steps) > 1:
            room = max(latest - p.reg_at, timedelta(minutes=len(p.steps)))
            span = last - p.reg_at
            p.steps = [(p.reg_at + (at - p.reg_at) * (room / span), step) for at, step in p.steps]
            if p.final_at is not None:
                p.final_at = p.reg_at + (p.final_at - p.reg_at) * (room / span)
        # Keep each story's steps in order even where working-hours snapping reordered them.
        ordered: list[tuple[datetime, Step]] = []
        for at, step in p.steps:
            if ordered and at <= ordered[-1][0]:
                at = ordered[-1][0] + timedelta(seconds=30)
            ordered.append((at, step))
        p.steps = ordered
        return p

    def plan_duplicate(self, spec: Spec, originals: list[Plan]) -> Plan:
        """A client writes the same thing again before the first appeal is done; the
        dispatcher merges the second into the first. The duplicate copies the first
        appeal's story and client, and comes in a few hours to days after it."""
        if spec.channel == Channel.PAPER:
            spec.channel = Channel.MAIL
        open_long = [
            q
            for q in originals
            if q.spec.org is spec.org
            and not q.spec.duplicate
            and q.reg_at is not None
            and q.reg_at < self.now - timedelta(days=1)
            and (q.final_at is None or q.final_at - q.reg_at > timedelta(days=2))
        ]
        near = [q for q in open_long if q.reg_at and spec.t0 - timedelta(days=10) < q.reg_at < spec.t0]
        if not open_long:
            spec.end = CANCELLED
            return self.plan(spec)
        target = self.pick(near or open_long)
        assert target.reg_at is not None
        latest = min(target.final_at or self.now, self.now) - target.reg_at
        spec.t0 = target.reg_at + min(self.between(timedelta(hours=2), timedelta(days=2)), latest / 3)
        target.spec.duplicate = True
        spec.duplicate = True
        spec.scenario, spec.variant, spec.client = target.spec.scenario, target.spec.variant, target.spec.client
        spec.ctx, spec.tags = dict(target.spec.ctx), []
        spec.unrouted = spec.escalate = False
        plan = self.plan(spec)
        plan.target = target
        if target.final_at is not None and plan.final_at is not None and plan.final_at >= target.final_at:
            # Merge while the first appeal is still open.
            assert plan.reg_at is not None
            at = plan.reg_at + (target.final_at - plan.reg_at) / 2
            plan.steps[-1] = (at, plan.steps[-1][1])
            plan.final_at = at
        return plan

    def add_links(self, plans: list[Plan]) -> None:
        """Link a client's repeat appeals to the earlier one."""
        by_client: dict[int, list[Plan]] = {}
        for p in sorted(plans, key=lambda q: q.reg_at or self.now):
            by_client.setdefault(p.spec.client.client.pk, []).append(p)
        linked = 0
        for group in by_client.values():
            for earlier, later in itertools.pairwise(group):
                if later.spec.end == MERGED or earlier.spec.end == MERGED or self.rng.random() > 0.12:
                    continue
                if earlier.spec.org is not later.spec.org or later.reg_at is None:
                    continue
                self._link(earlier, later)
                linked += 1
        if linked:
            return
        # Too few appeals for a client to write twice: let the latest one be a repeat.
        candidates = [p for p in plans if p.spec.end not in (MERGED, NEW, UNROUTED) and not p.spec.duplicate]
        candidates.sort(key=lambda q: q.reg_at or self.now)
        for repeat in reversed(candidates):
            first = next(
                (
                    q
                    for q in candidates
                    if q is not repeat
                    and q.spec.org is repeat.spec.org
                    and q.spec.client.pool == repeat.spec.client.pool
                    and (q.reg_at or self.now) < (repeat.reg_at or self.now)
                ),
                None,
            )
            if first is not None:
                repeat.spec.client = first.spec.client
                self._link(first, repeat)
                return

    def _link(self, earlier: Plan, later: Plan) -> None:
        assert later.reg_at is not None
        at = self.staff_after(later.reg_at, timedelta(minutes=20), timedelta(hours=20))
        if later.final_at is not None and at >= later.final_at:
            at = later.reg_at + (later.final_at - later.reg_at) / 2
        at = min(at, self.now - timedelta(minutes=1))
        repeat = earlier.final_at is not None and earlier.final_at < later.spec.t0
        if repeat:
            later.spec.tags.append("повторное")
        kind = LinkKind.REPEAT if repeat else LinkKind.RELATED
        dispatcher = self.users[later.spec.org.dispatcher]

        def run() -> None:
            if earlier.appeal_id:
                link(dispatcher, later.appeal_id, earlier.appeal_id, kind)

        later.add(at, self._guard(later, run, "link"))

    # --- steps -------------------------------------------------------------------

    def _guard(self, p: Plan, fn: Step, name: str) -> Step:
        """A step that runs only once its appeal exists and its story is not broken."""

        def run() -> None:
            if not p.broken and (p.appeal_id or name == "register_appeal"):
                fn()

        run.__name__ = name
        return run

    def step(self, p: Plan, service: Callable[..., Any], actor: Actor, *args: Any, **kwargs: Any) -> Step:
        def run() -> None:
            service(actor, p.appeal_id, *args, **kwargs)

        return self._guard(p, run, service.__name__)

    def step_sub(self, p: Plan, service: Callable[..., Any], actor: Actor, *args: Any, **kwargs: Any) -> Step:
        def run() -> None:
            if p.subcase_id:
                service(actor, p.subcase_id, *args, **kwargs)

        return self._guard(p, run, f"subcase {service.__name__}")

    def step_approve(self, p: Plan, actor: User) -> Step:
        def run() -> None:
            approve_reply(actor, p.message_id, comment=p.rng.choice(("", "Согласовано.")))

        return self._guard(p, run, "approve_reply")

    def step_return(self, p: Plan, actor: User, comment: str) -> Step:
        def run() -> None:
            return_reply(actor, p.message_id, comment=comment)

        return self._guard(p, run, "return_reply")

    def letter(self, spec: Spec, body: str) -> str:
        """What the client's message looks like in its channel: letters are signed."""
        if spec.channel in (Channel.MESSENGER, Channel.API):
            return body
        if spec.scenario.sender:
            return f"{body}\n\n{spec.scenario.sender}"
        who = spec.client.person
        if spec.client.client.kind == ClientKind.ORGANISATION or spec.client.pool == "employee":
            signer = who.short if who else ""
            org_name = spec.client.client.name
            if spec.client.pool == "employee" and spec.client.client.parent is not None:
                org_name = spec.client.client.parent.name
            return f"{body}\n\n{signer}, {org_name}" if signer else body
        return f"{body}\n\n{who.full_name}" if who else body

    def answer_text(self, spec: Spec, worker: User, body: str) -> str:
        """A reply as it reads in its channel: a signed letter, a chat message, or
        a record of what was said on the phone or at the desk."""
        who = spec.client.person
        person = spec.client.client.kind == ClientKind.PERSON and who is not None
        if spec.channel == Channel.API:
            return body
        if spec.channel in (Channel.PHONE, Channel.IN_PERSON):
            where = "по телефону" if spec.channel == Channel.PHONE else "в офисе"
            return f"Ответ дан клиенту {where}: {body}"
        if spec.channel == Channel.MESSENGER:
            return f"{who.polite}, здравствуйте! {body}" if person and who else f"Здравствуйте! {body}"
        greeting = f"Здравствуйте, {who.polite}!" if person and who else "Добрый день!"
        return f"{greeting}\n\n{body}\n\nС уважением,\n{worker.first_name} {worker.last_name}\n{spec.org.signature}"

    def _files(self, rng: random.Random, spec: Spec, names: Sequence[str]) -> list[IncomingFile]:
        out = []
        for number, name in enumerate(names):
            if name.endswith(".png"):
                colour = (rng.randint(40, 220), rng.randint(40, 220), rng.randint(40, 220))
                out.append(IncomingFile(name=name, content=files.png(colour)))
            else:
                out.append(IncomingFile(name=name, content=files.pdf(f"Okno demo document {spec.index}-{number}")))
        return out

    def step_register(self, p: Plan, actor: Actor, queue_code: str | None, assignee: User | None) -> Step:
        spec = p.spec

        def register() -> None:
            sc = spec.scenario
            text = self.pick_text(sc.texts, spec)
            if spec.duplicate and spec.end == MERGED:
                text = "Повторно направляю своё обращение, ответа пока нет.\n\n" + text
            summary = self.pick_text(sc.summaries, spec)
            mentions = any(w in text for w in ("прикладываю", "прилагаю", "во вложении"))
            names = sc.files or (("скан.pdf",) if mentions else ())
            content = None
            description = ""
            appeal_files: list[IncomingFile] = []
            if spec.channel in (Channel.MAIL, Channel.PORTAL, Channel.MESSENGER):
                attach = names and p.rng.random() < 0.7
                content = InboundContent(
                    body_text=self.letter(spec, text), files=self._files(p.rng, spec, names) if attach else []
                )
            elif spec.channel == Channel.API:
                description = text
            else:
                description = summary
                if spec.channel == Channel.PAPER:
                    appeal_files = self._files(p.rng, spec, ("письмо.pdf",))
            product_codes = [c for c in sc.products if c in self.products]
            appeal = register_appeal(
                actor,
                subject=self.pick_text(sc.subjects, spec),
                channel=spec.channel,
                description=description,
                kind=self.kinds[sc.kind],
                client=spec.client.client,
                category=None if queue_code is None else self.categories[sc.category],
                product=self.products[p.rng.choice(product_codes)] if product_codes else None,
                priority=spec.priority,
                queue=None if queue_code is None else self.queues[queue_code],
                assignee=assignee,
                tags=spec.tags,
                created_at=spec.t0,
                content=content,
                files=appeal_files,
            )
            p.appeal_id = appeal.pk

        return self._guard(p, register, "register_appeal")

    def step_merge(self, p: Plan, actor: User) -> Step:
        def run() -> None:
            if p.target is None or not p.target.appeal_id:
                cancel(actor, p.appeal_id, reason=p.rng.choice(CANCEL_REASONS))
                return
            merge(actor, p.appeal_id, p.target.appeal_id, comment=p.rng.choice(MERGE_COMMENTS))

        return self._guard(p, run, "merge")

    def step_note(self, p: Plan, actor: User, template: str) -> Step:
        def run() -> None:
            add_note(actor, p.appeal_id, body_text=self.render(template, p.spec))

        return self._guard(p, run, "add_note")

    def step_sub_note(self, p: Plan, actor: User, template: str) -> Step:
        def run() -> None:
            if p.subcase_id:
                add_note(actor, p.subcase_id, body_text=self.render(template, p.spec))

        return self._guard(p, run, "subcase add_note")

    def step_tag(self, p: Plan, actor: User, tag: str) -> Step:
        def run() -> None:
            current = list(Appeal.objects.get(pk=p.appeal_id).tags.values_list("name", flat=True))
            update_fields(actor, p.appeal_id, {"tags": [*current, tag]})

        return self._guard(p, run, "update_fields tags")

    def step_reply(self, p: Plan, actor: User, template: str, status_after: Status) -> Step:
        def run() -> None:
            body = self.answer_text(p.spec, actor, self.render(template, p.spec))
            message = reply(actor, p.appeal_id, body_text=body, status_after=status_after)
            p.message_id = message.pk

        return self._guard(p, run, "reply")

    def step_revise(self, p: Plan, actor: User, template: str) -> Step:
        def run() -> None:
            body = self.answer_text(p.spec, actor, self.render(template, p.spec))
            revise_reply(actor, p.message_id, body_text=body)

        return self._guard(p, run, "revise_reply")

    def step_inbound(self, p: Plan, template: str, worker: User) -> Step:
        """The client writes again: by the appeal's channel, or by mail after a call."""
        spec = p.spec

        def run() -> None:
            channel = spec.channel
            if channel in (Channel.PHONE, Channel.IN_PERSON, Channel.PAPER, Channel.API):
                channel = Channel.MAIL if p.rng.random() < 0.7 else Channel.PHONE
            actor: Actor = worker if channel == Channel.PHONE else SystemActor(str(channel))
            text = self.render(template, spec)
            mentions = any(w in text for w in ("прикладываю", "прилагаю", "во вложении"))
            sent = self._files(p.rng, spec, ("фото.png",) if "фото" in text else ("скан.pdf",)) if mentions else []
            add_message(
                actor,
                p.appeal_id,
                body_text=self.letter(spec, text) if channel == Channel.MAIL else text,
                channel=channel,
                files=sent if channel != Channel.PHONE else [],
            )

        return self._guard(p, run, "add_message")

    def step_subcase(self, p: Plan, actor: User, sub_worker: User) -> Step:
        sub = p.spec.scenario.subcase
        assert sub is not None

        def run() -> None:
            parent = Appeal.objects.get(pk=p.appeal_id)
            subcase = create_subcase(
                actor,
                parent,
                subject=self.render(sub.subject, p.spec),
                description=self.render(sub.description, p.spec),
                queue=self.queues[sub.queue],
                assignee=sub_worker,
            )
            p.subcase_id = subcase.pk

        return self._guard(p, run, "create_subcase")

    # --- running -----------------------------------------------------------------

    def run(self) -> Summary:
        started = time.monotonic()
        with transaction.atomic(), _no_delivery():
            first_live = LiveMessage.objects.order_by("-id").values_list("id", flat=True).first() or 0
            self.build_reference()
            self.build_staff()
            self.build_clients()
            specs = self.make_specs()
            plans = [self.plan(s) for s in specs if s.end != MERGED]
            originals = list(plans)
            for spec in specs:
                if spec.end == MERGED:
                    plans.append(self.plan_duplicate(spec, originals))
            self.add_links(plans)
            self.execute(plans)
            LiveMessage.objects.filter(id__gt=first_live).delete()
            self.count_up(plans)
        self.summary.seconds = time.monotonic() - started
        return self.summary

    def execute(self, plans: list[Plan]) -> None:
        steps = [(at, n, k, step, plan) for n, plan in enumerate(plans) for k, (at, step) in enumerate(plan.steps)]
        steps.sort(key=lambda s: (s[0], s[1], s[2]))
        self.summary.steps = len(steps)
        # On a terminal only (disable=None): a log gets no bar.
        shown = None if self.progress else True
        bar = tqdm(total=len(steps), desc="Demo history", unit=" steps", disable=shown, file=sys.stderr)
        try:
            for at, _n, _k, step, plan in steps:
                try:
                    with time_machine.travel(at, tick=False):
                        step()
                except (Conflict, InvalidInput, NotFound, PermissionDenied) as exc:
                    self.summary.skipped += 1
                    if len(self.summary.errors) < 10:
                        self.summary.errors.append(f"{plan.spec.index}/{step.__name__}: {exc}")
                    if step.__name__ == "register":
                        plan.broken = True
                bar.update()
        finally:
            bar.close()

    def count_up(self, plans: list[Plan]) -> None:
        ids = [p.appeal_id for p in plans if p.appeal_id]
        self.summary.appeals = len(ids)
        self.summary.subcases = sum(1 for p in plans if p.subcase_id)
        everything = Appeal.objects.filter(pk__in=[*ids, *(p.subcase_id for p in plans if p.subcase_id)])
        self.summary.statuses = Counter(everything.values_list("status", flat=True))
        self.summary.messages = Message.objects.filter(appeal__in=everything).count()
        self.summary.events = Event.objects.filter(appeal__in=everything).count()


def build_demo(*, appeals: int = 400, seed: int = 1, progress: bool = True) -> Summary:
    """Create the demo installation; see :class:`DemoBuilder`."""
    return DemoBuilder(appeals=appeals, seed=seed, progress=progress).run()
