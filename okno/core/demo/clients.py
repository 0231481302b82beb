"""Making up the clients: private persons, client organisations, their shops and the shops' employees."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine

from okno.clients.choices import ClientKind, ContactKind
from okno.clients.models import Client
from okno.clients.services import ContactInput, create_client
from okno.core.demo import people
from okno.core.demo.base import BuilderBase
from okno.core.demo.climate import CLIMATE
from okno.core.demo.common import CITIES, ORGS, STREETS
from okno.core.demo.records import ClientRecord
from okno.core.demo.shapes import OrgDef


class ClientsMixin(BuilderBase):
    """Clients go through the real client service, each created at a moment before the demo period."""

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
