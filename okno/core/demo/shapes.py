"""The shapes demo organisations are described in: their queues, categories,
products, staff, client organisations and the stories their appeals tell.

Texts are Python ``str.format`` templates; the builder fills the fields
(``{card}``, ``{model}``, ``{amount}`` …) with values made up for each appeal.
Tuples of alternatives are indexed by the appeal's variant, so a subject, the
client's letter and our answer of one appeal belong together. A note that
foreshadows the answer starts with the outcomes it fits: ``"[satisfied] …"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from okno.accounts.choices import Role


@dataclass(frozen=True)
class QueueDef:
    code: str
    name: str
    name_en: str
    description: str
    term_days: int
    approval: bool = False


@dataclass(frozen=True)
class CategoryDef:
    code: str
    name: str
    name_en: str
    children: tuple[tuple[str, str, str], ...] = ()  # (code, name, name_en)


@dataclass(frozen=True)
class ProductDef:
    code: str
    name: str
    name_en: str
    group: str = ""  # code of the group product
    model: str = ""  # how people name it in letters («Arctic TL-09HR»)


@dataclass(frozen=True)
class StaffDef:
    username: str
    role: Role
    last_name: str
    first_name: str
    patronymic: str
    queues: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClientOrgDef:
    """A client organisation; ``children`` are its shops or branches (name, city)."""

    name: str
    pool: str  # which scenarios it writes in: sme, dealer, asc
    city: str
    inn_region: str
    segment: str
    children: tuple[tuple[str, str], ...] = ()
    sole_trader: bool = False


@dataclass(frozen=True)
class SubcaseDef:
    """Work handed to another team as a sub-case (diagnostics at a service centre,
    a chargeback, a shipment of missing parts)."""

    queue: str
    subject: str
    description: str
    notes: tuple[str, ...]
    outcome: str = "satisfied"
    chance: float = 0.6


@dataclass(frozen=True)
class Scenario:
    """One kind of story: what the client writes about, and how we answer."""

    code: str
    queue: str
    kind: str
    category: str  # a subcategory code
    subjects: tuple[str, ...]
    texts: tuple[str, ...]  # the client's own words (mail, portal, messenger, API)
    summaries: tuple[str, ...]  # what an agent writes down from a call, visit or paper letter
    answers: dict[str, tuple[str, ...]]  # outcome → our final reply
    channels: dict[str, int]
    products: tuple[str, ...] = ()
    ask: tuple[str, ...] = ()  # our question back to the client
    followups: tuple[str, ...] = ()  # the client's answer to it
    notes: tuple[str, ...] = ()  # internal notes
    priorities: dict[str, int] = field(default_factory=lambda: {"low": 1, "normal": 6, "high": 2, "critical": 0})
    tags: tuple[str, ...] = ()
    clients: dict[str, int] = field(default_factory=lambda: {"person": 1})
    subcase: SubcaseDef | None = None
    files: tuple[str, ...] = ()  # names of files the client sends with the first letter
    sender: str = ""  # who signs the first letter when not the client (the regulator forwarding it)
    weight: int = 3


@dataclass(frozen=True)
class OrgDef:
    """A demo organisation: reference data, staff, clients, stories."""

    code: str
    name: str
    signature: str
    front_queue: str  # where calls and chats land before they are passed on
    dispatcher: str  # username of whoever triages and hands work out
    supervisor: str
    queues: tuple[QueueDef, ...]
    categories: tuple[CategoryDef, ...]
    products: tuple[ProductDef, ...]
    staff: tuple[StaffDef, ...]
    client_orgs: tuple[ClientOrgDef, ...]
    persons: int  # private clients to make up
    scenarios: tuple[Scenario, ...]
    later_tags: tuple[str, ...]
    generic_notes: tuple[str, ...]
    generic_ask: str  # a question back when a story has none of its own
    reopen_texts: tuple[str, ...]
    domain: str  # staff e-mail domain (reserved for examples)
    weight: int
