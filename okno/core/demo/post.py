"""The demo's paper post: the bank's letterhead and accepting office, and a few
replies sent as paper letters that wait in the "to post" list (/post/)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from okno.accounts.choices import Role
from okno.accounts.models import User
from okno.appeals import access
from okno.appeals.choices import Status
from okno.appeals.models import Appeal
from okno.channels.post.services.letters import address_of, reply_by_post
from okno.channels.post.services.settings import update_settings
from okno.core.errors import OknoError

LETTERS = 6
TEXT = (
    "Уважаемый клиент!\n\nНа ваше обращение сообщаем, что проверка завершена: "
    "комиссия за обслуживание карты возвращена на ваш счёт.\n\nБлагодарим за обращение."
)


def setup_post() -> int:
    """Post settings and up to ``LETTERS`` paper replies on open appeals whose client
    has a postal address; returns how many letters wait."""
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first()
    if admin is None:
        return 0
    made = 0
    with transaction.atomic():
        update_settings(
            admin,
            {
                "org_name": "АО «Банк Окно»",
                "org_address": "125009, г. Москва, ул. Тверская, д. 1",
                "org_requisites": "ИНН 7700000000, ОГРН 1027700000000, тел. 8 800 000-00-00",
                "signer_title": "Начальник отдела по работе с обращениями",
                "sender_name": "АО «Банк Окно»",
                "sender_address": "125009, г. Москва, ул. Тверская, д. 1",
                "sender_postcode": "125009",
                "office_postcode": "125009",
                "office_name": "ОПС Москва 125009",
                "default_postage": "67.20",
            },
        )
        candidates = (
            Appeal.objects.filter(status=Status.IN_WORK, assignee__isnull=False, parent__isnull=True)
            .exclude(client__postal_address="")
            .select_related("client", "assignee")
            .order_by("id")[:50]
        )
        for appeal in candidates:
            if made >= LETTERS:
                break
            address = address_of(appeal.client)
            agent = appeal.assignee
            if agent is None or not access.can(agent, access.Action.WORK, appeal) or len(address.postcode) != 6:
                continue
            try:
                with transaction.atomic():
                    reply_by_post(agent, appeal, address, body_text=TEXT, status_after=Status.IN_WORK)
            except (OknoError, PermissionDenied):
                continue
            made += 1
    return made
