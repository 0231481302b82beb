"""Routing rules Okno ships: automatic priority from what an appeal says and who
sends it, and applying the classifier's suggestion.

The installer (``manage.py setup``) adds the ones missing and never changes one
an administrator has edited or switched off. They ship switched on: they only
raise priorities (``only_raise``, so their order among themselves does not
matter and they never lower what an earlier rule set) and add tags, and the
classifier's suggestion is applied only in queues given a confidence threshold.
The one that marks letters from the Bank of Russia as forwarded by the regulator
ships switched off: what it marks is counted in the report to the regulator, so
an administrator who knows what arrives from there switches it on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from okno.appeals.choices import Priority
from okno.routing.models import RoutingRule
from okno.routing.services import rules


@dataclass(frozen=True)
class Preset:
    code: str
    name: str
    description: str
    position: int
    conditions: dict[str, Any]
    actions: dict[str, Any]
    stop: bool = False
    active: bool = True


REGULATOR_DOMAINS: Final = (
    "cbr.ru",
    "rospotrebnadzor.ru",
    "fas.gov.ru",
    "genproc.gov.ru",
    "finombudsman.ru",
)

PRESETS: Final = (
    Preset(
        code="vip",
        name="VIP-клиент: высокий приоритет",
        description="Обращения VIP-клиентов — с высоким приоритетом.",
        position=10,
        conditions={"vip": True},
        actions={"priority": Priority.HIGH, "only_raise": True},
    ),
    Preset(
        code="large-amount",
        name="Сумма свыше 1 000 000: высокий приоритет",
        description="В тексте названа сумма больше миллиона (или такова сумма требования).",
        position=20,
        conditions={"amount_over": "1000000"},
        actions={"priority": Priority.HIGH, "only_raise": True},
    ),
    Preset(
        code="repeat",
        name="Повторное обращение: высокий приоритет",
        description="Клиент уже обращался за последние 30 дней (это второе обращение или более).",
        position=30,
        conditions={"repeat": {"count": 1, "days": 30}},
        actions={"priority": Priority.HIGH, "only_raise": True, "tags": ["повторное"]},
    ),
    Preset(
        code="court",
        name="Угроза суда: высокий приоритет",
        description="Клиент упоминает суд, иск или прокуратуру.",
        position=40,
        conditions={
            "text": ["суд", "иск", "исковое", "прокуратура", "court", "lawsuit", "attorney", '"sue you"'],
        },
        actions={"priority": Priority.HIGH, "only_raise": True, "tags": ["угроза суда"]},
    ),
    Preset(
        code="regulator-sender",
        name="Переслано регулятором: критический приоритет",
        description="Письмо пришло с адреса Банка России, Роспотребнадзора, ФАС, прокуратуры или финансового "
        "уполномоченного.",
        position=50,
        conditions={"senders": list(REGULATOR_DOMAINS)},
        actions={"priority": Priority.CRITICAL, "only_raise": True, "tags": ["регулятор"]},
    ),
    Preset(
        code="regulator-forwarded-cbr",
        name="Письмо из Банка России: перенаправлено регулятором",
        description="Обращение, пришедшее с адреса Банка России (cbr.ru), отмечается как перенаправленное "
        "регулятором и попадает в отчёт для регулятора. Выключено при установке: включите, если с этих "
        "адресов приходят перенаправленные Банком России обращения.",
        position=55,
        conditions={"senders": ["cbr.ru"]},
        actions={"regulator_forwarded": True},
        active=False,
    ),
    Preset(
        code="regulator-text",
        name="Упомянут регулятор: критический приоритет",
        description="В тексте упомянуты Банк России, Роспотребнадзор или прокуратура.",
        position=60,
        conditions={
            "text": [
                '"Банк России"',
                '"ЦБ РФ"',
                '"Центральный банк"',
                "Центробанк",
                "Роспотребнадзор",
                "прокуратур",
                '"финансовый уполномоченный"',
            ],
        },
        actions={"priority": Priority.CRITICAL, "only_raise": True, "tags": ["регулятор"]},
    ),
    Preset(
        code="classifier-category",
        name="Категория по предложению классификатора",
        description="Категория, которую предлагает классификатор, если его уверенность не ниже порога очереди "
        "(порог задаётся в настройках классификатора; без порога ничего не применяется).",
        position=1000,
        conditions={},
        actions={"apply_suggestion": ["category"]},
    ),
)


def load_presets() -> int:
    """Add the shipped rules that are missing; returns how many were added. A preset
    already there (edited, switched off, moved) is left as it is."""
    added = 0
    with transaction.atomic():
        known = set(RoutingRule.objects.exclude(preset_code="").values_list("preset_code", flat=True))
        now = timezone.now()
        for preset in PRESETS:
            if preset.code in known:
                continue
            RoutingRule.objects.create(
                name=preset.name,
                description=preset.description,
                position=preset.position,
                is_active=preset.active,
                stop=preset.stop,
                conditions=preset.conditions,
                actions=preset.actions,
                is_preset=True,
                preset_code=preset.code,
                created_at=now,
                updated_at=now,
            )
            added += 1
        if added:
            rules.forget_on_commit()
    return added
