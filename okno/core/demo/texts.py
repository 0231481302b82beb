"""What appeals say: made-up details for the templates, staff's stock remarks, letters and replies per channel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.utils import timezone

from okno.accounts.models import User
from okno.appeals.choices import Channel
from okno.clients.choices import ClientKind
from okno.core.demo.base import BuilderBase
from okno.core.demo.common import STREETS
from okno.core.demo.records import Spec

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


def _rub(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0") + "\u00a0₽"


class TextsMixin(BuilderBase):
    """Fills a story's text templates and frames texts the way each channel shows them."""

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
