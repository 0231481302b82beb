"""Deadline policies Okno ships: Russian law and an example business SLA.

The installer (``manage.py setup``) adds the ones missing and never changes one an
administrator has edited. They ship switched off and matching nothing in
particular: an administrator chooses which apply (a bank, a retailer, a public
body) and to which kinds or categories.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from okno.deadlines.choices import ClockKind, TermUnit

CAL = TermUnit.CALENDAR_DAYS
WORK = TermUnit.WORKING_DAYS
HOURS = TermUnit.WORKING_HOURS
PENALTY_ART23 = Decimal("1.00")
ART23 = "Закон РФ «О защите прав потребителей», ст. 23 (неустойка 1 % цены товара за день просрочки)"
ART23_EN = "Consumer Protection Law, art. 23 (penalty of 1 % of the price per day of delay)"


@dataclass(frozen=True)
class PresetClock:
    clock: ClockKind
    amount: int
    unit: TermUnit
    citation: str
    citation_en: str
    statutory: bool = True
    pauses: bool = False
    extension: int | None = None
    extension_basis: str = ""
    penalty: Decimal | None = None


@dataclass(frozen=True)
class Preset:
    code: str
    name: str
    name_en: str
    basis: str
    basis_en: str
    position: int
    clocks: tuple[PresetClock, ...]
    description: str = ""
    reminder_percents: tuple[int, ...] = (50, 80)


PRESETS: tuple[Preset, ...] = (
    Preset(
        code="fz59",
        name="Обращения граждан (59-ФЗ)",
        name_en="Citizens' appeals (Federal Law 59-FZ)",
        basis="Федеральный закон от 02.05.2006 № 59-ФЗ «О порядке рассмотрения обращений граждан РФ»",
        basis_en="Federal Law No. 59-FZ of 02.05.2006 on the procedure for considering citizens' appeals",
        position=50,
        clocks=(
            PresetClock(ClockKind.REGISTRATION, 3, CAL, "59-ФЗ, ст. 8 ч. 2", "59-FZ, art. 8 part 2"),
            PresetClock(
                ClockKind.ANSWER,
                30,
                CAL,
                "59-ФЗ, ст. 12 ч. 1",
                "59-FZ, art. 12 part 1",
                extension=30,
                extension_basis="59-ФЗ, ст. 12 ч. 2",
            ),
        ),
    ),
    Preset(
        code="fz442-financial",
        name="Обращения в финансовую организацию (442-ФЗ)",
        name_en="Appeals to a financial organisation (Federal Law 442-FZ)",
        basis="Федеральный закон № 442-ФЗ: ответ на обращение — 15 рабочих дней, продление на 10 рабочих дней",
        basis_en="Federal Law 442-FZ: answer within 15 working days, extendable by 10 working days",
        position=40,
        clocks=(
            PresetClock(
                ClockKind.ANSWER,
                15,
                WORK,
                "442-ФЗ: 15 рабочих дней",
                "442-FZ: 15 working days",
                extension=10,
                extension_basis="442-ФЗ: продление на 10 рабочих дней с уведомлением заявителя",
            ),
        ),
    ),
    Preset(
        code="fz161-card-dispute",
        name="Спорная операция по карте (161-ФЗ)",
        name_en="Disputed card operation (Federal Law 161-FZ)",
        basis="Федеральный закон от 27.06.2011 № 161-ФЗ «О национальной платёжной системе», ст. 9 ч. 5",
        basis_en="Federal Law No. 161-FZ of 27.06.2011 on the National Payment System, art. 9 part 5",
        position=20,
        clocks=(PresetClock(ClockKind.ANSWER, 30, CAL, "161-ФЗ, ст. 9 ч. 5", "161-FZ, art. 9 part 5"),),
    ),
    Preset(
        code="fz161-card-dispute-crossborder",
        name="Спорная трансграничная операция по карте (161-ФЗ)",
        name_en="Disputed cross-border card operation (Federal Law 161-FZ)",
        basis="Федеральный закон № 161-ФЗ, ст. 9 ч. 5: 60 дней для трансграничного перевода",
        basis_en="Federal Law 161-FZ, art. 9 part 5: 60 days for a cross-border transfer",
        position=10,
        clocks=(PresetClock(ClockKind.ANSWER, 60, CAL, "161-ФЗ, ст. 9 ч. 5", "161-FZ, art. 9 part 5"),),
    ),
    Preset(
        code="zozpp-20-repair",
        name="Ремонт товара (ЗоЗПП, ст. 20)",
        name_en="Repair of goods (Consumer Protection Law, art. 20)",
        basis="Закон РФ от 07.02.1992 № 2300-1 «О защите прав потребителей», ст. 20 ч. 1",
        basis_en="Consumer Protection Law No. 2300-1 of 07.02.1992, art. 20 part 1",
        position=30,
        clocks=(
            PresetClock(
                ClockKind.ANSWER,
                45,
                CAL,
                "ЗоЗПП, ст. 20 ч. 1; " + ART23,
                "CPL, art. 20 part 1; " + ART23_EN,
                penalty=PENALTY_ART23,
            ),
        ),
    ),
    Preset(
        code="zozpp-21-replacement",
        name="Замена товара (ЗоЗПП, ст. 21)",
        name_en="Replacement of goods (Consumer Protection Law, art. 21)",
        basis="Закон РФ «О защите прав потребителей», ст. 21 ч. 1: 7 дней",
        basis_en="Consumer Protection Law, art. 21 part 1: 7 days",
        position=31,
        clocks=(
            PresetClock(
                ClockKind.ANSWER,
                7,
                CAL,
                "ЗоЗПП, ст. 21 ч. 1; " + ART23,
                "CPL, art. 21 part 1; " + ART23_EN,
                penalty=PENALTY_ART23,
            ),
        ),
    ),
    Preset(
        code="zozpp-21-replacement-check",
        name="Замена товара с проверкой качества (ЗоЗПП, ст. 21)",
        name_en="Replacement of goods with a quality check (Consumer Protection Law, art. 21)",
        basis="Закон РФ «О защите прав потребителей», ст. 21 ч. 1: 20 дней при проверке качества",
        basis_en="Consumer Protection Law, art. 21 part 1: 20 days when quality is checked",
        position=32,
        clocks=(
            PresetClock(
                ClockKind.ANSWER,
                20,
                CAL,
                "ЗоЗПП, ст. 21 ч. 1; " + ART23,
                "CPL, art. 21 part 1; " + ART23_EN,
                penalty=PENALTY_ART23,
            ),
        ),
    ),
    Preset(
        code="zozpp-22-money",
        name="Возврат денег и иные денежные требования (ЗоЗПП, ст. 22)",
        name_en="Refund and other money demands (Consumer Protection Law, art. 22)",
        basis="Закон РФ «О защите прав потребителей», ст. 22: 10 дней",
        basis_en="Consumer Protection Law, art. 22: 10 days",
        position=33,
        clocks=(
            PresetClock(
                ClockKind.ANSWER,
                10,
                CAL,
                "ЗоЗПП, ст. 22; " + ART23,
                "CPL, art. 22; " + ART23_EN,
                penalty=PENALTY_ART23,
            ),
        ),
    ),
    Preset(
        code="fz152-pd-request",
        name="Запрос субъекта персональных данных (152-ФЗ)",
        name_en="Personal-data subject request (Federal Law 152-FZ)",
        basis="Федеральный закон от 27.07.2006 № 152-ФЗ «О персональных данных», ст. 14 ч. 3, ст. 20",
        basis_en="Federal Law No. 152-FZ of 27.07.2006 on personal data, art. 14 part 3, art. 20",
        position=15,
        clocks=(
            PresetClock(
                ClockKind.ANSWER,
                10,
                WORK,
                "152-ФЗ, ст. 14 ч. 3, ст. 20 ч. 1",
                "152-FZ, art. 14 part 3, art. 20 part 1",
                extension=5,
                extension_basis="152-ФЗ, ст. 14 ч. 3: продление на 5 рабочих дней с мотивированным уведомлением",
            ),
        ),
    ),
    Preset(
        code="sla-example",
        name="Пример бизнес-SLA: первый ответ 4 раб. часа, решение 3 раб. дня",
        name_en="Example business SLA: first response 4 working hours, resolution 3 working days",
        basis="Внутренний стандарт обслуживания (пример)",
        basis_en="Internal service standard (example)",
        position=90,
        clocks=(
            PresetClock(ClockKind.FIRST_RESPONSE, 4, HOURS, "SLA", "SLA", statutory=False, pauses=True),
            PresetClock(ClockKind.ANSWER, 3, WORK, "SLA", "SLA", statutory=False, pauses=True),
        ),
    ),
)


def load_presets() -> int:
    """Add the shipped policies that are missing (by code). Returns how many were added."""
    from django.db import transaction

    from okno.deadlines.models import DeadlinePolicy, PolicyClock
    from okno.deadlines.services import policies

    added = 0
    with transaction.atomic():
        existing = set(DeadlinePolicy.objects.values_list("code", flat=True))
        for preset in PRESETS:
            if preset.code in existing:
                continue
            policy = DeadlinePolicy.objects.create(
                code=preset.code,
                name=preset.name,
                name_en=preset.name_en,
                basis=preset.basis,
                basis_en=preset.basis_en,
                description=preset.description,
                position=preset.position,
                is_active=False,
                is_preset=True,
                reminder_percents=list(preset.reminder_percents),
            )
            PolicyClock.objects.bulk_create(
                PolicyClock(
                    policy=policy,
                    clock=c.clock,
                    term_amount=c.amount,
                    term_unit=c.unit,
                    is_statutory=c.statutory,
                    pauses_while_waiting=c.pauses,
                    extension_amount=c.extension,
                    extension_basis=c.extension_basis,
                    citation=c.citation,
                    citation_en=c.citation_en,
                    penalty_percent_per_day=c.penalty,
                )
                for c in preset.clocks
            )
            added += 1
        policies.forget_on_commit()
    return added
