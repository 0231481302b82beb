"""Writing the reference data (appeal kinds, queues, categories, products) and the staff with their queues."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.hashers import make_password

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.appeals.models import Category, Kind
from okno.catalog.models import Product
from okno.core.demo import people
from okno.core.demo.base import BuilderBase
from okno.core.demo.common import COMMON_STAFF, KINDS, ORGS, PASSWORD
from okno.queues.models import Membership, Queue


class ReferenceMixin(BuilderBase):
    """Written directly, as an administrator would through the admin."""

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
