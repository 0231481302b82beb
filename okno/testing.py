"""Shared test data: a small organisation with a person in every role.

Built through the real models and services, never through fixtures that could
drift from them. Use the ``org`` pytest fixture (see ``conftest.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.appeals.choices import Channel
from okno.appeals.models import Appeal, Category, Kind
from okno.appeals.services import register_appeal
from okno.catalog.models import Product
from okno.clients.models import Client
from okno.clients.services import ContactInput, create_client
from okno.queues.models import Membership, Queue

PASSWORD = "okno-test-password"


def make_user(username: str, role: Role, *queues: Queue, **fields: Any) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, **fields)
    for queue in queues:
        Membership.objects.create(queue=queue, user=user)
    return user


@dataclass
class Org:
    """Queues «claims» and «support»; Anna works claims, Boris support;
    Sergey supervises claims; Dina dispatches; Kira checks compliance; Adam administers."""

    claims: Queue
    support: Queue
    anna: User  # agent, claims
    boris: User  # agent, support
    sergey: User  # supervisor, claims
    dina: User  # dispatcher
    kira: User  # compliance officer
    adam: User  # administrator
    spec: User  # specialist, support
    complaint: Kind
    request: Kind
    cards: Category
    card_fees: Category
    debit_card: Product
    ivan: Client

    def appeal(self, actor: User | None = None, **fields: Any) -> Appeal:
        """A fresh appeal in the claims queue unless told otherwise."""
        data: dict[str, Any] = {
            "subject": "Списали комиссию за обслуживание карты",
            "channel": Channel.PHONE,
            "kind": self.complaint,
            "queue": self.claims,
            "client": self.ivan,
        }
        data.update(fields)
        return register_appeal(actor or self.anna, **data)


def build_org() -> Org:
    claims = Queue.objects.create(code="claims", name="Претензии", name_en="Claims")
    support = Queue.objects.create(code="support", name="Поддержка", name_en="Support")
    cards = Category.objects.create(code="cards", name="Карты", name_en="Cards")
    return Org(
        claims=claims,
        support=support,
        anna=make_user("anna", Role.AGENT, claims, first_name="Анна", last_name="Смирнова"),
        boris=make_user("boris", Role.AGENT, support, first_name="Борис", last_name="Кузнецов"),
        sergey=make_user("sergey", Role.SUPERVISOR, claims, first_name="Сергей", last_name="Орлов"),
        dina=make_user("dina", Role.DISPATCHER, first_name="Дина", last_name="Волкова"),
        kira=make_user("kira", Role.COMPLIANCE, first_name="Кира", last_name="Лебедева"),
        adam=make_user("adam", Role.ADMIN, first_name="Адам", last_name="Морозов"),
        spec=make_user("spec", Role.SPECIALIST, support, first_name="Степан", last_name="Ершов"),
        # get_or_create: transactional tests flush the kinds the migration shipped.
        complaint=Kind.objects.get_or_create(code="complaint", defaults={"name": "Жалоба", "name_en": "Complaint"})[0],
        request=Kind.objects.get_or_create(code="request", defaults={"name": "Заявка", "name_en": "Request"})[0],
        cards=cards,
        card_fees=Category.objects.create(code="card-fees", name="Комиссии", name_en="Fees", parent=cards),
        debit_card=Product.objects.create(code="debit", name="Дебетовая карта", name_en="Debit card"),
        ivan=create_client(
            None,
            name="Иванов Иван Иванович",
            contacts=[
                ContactInput(kind="email", value="Ivan.Ivanov@Example.RU"),
                ContactInput(kind="phone", value="8 (912) 345-67-89"),
            ],
        ),
    )
