"""Demo organisation one: a retail bank («Банк «Горизонт»») with a contact centre,
a card disputes team, a loans team and a desk for the regulator's letters."""

from __future__ import annotations

from okno.core.demo.bank.cards import CARDS
from okno.core.demo.bank.everyday import EVERYDAY
from okno.core.demo.bank.loans import LOANS
from okno.core.demo.bank.reference import CATEGORIES, CLIENT_ORGS, PRODUCTS, QUEUES, STAFF
from okno.core.demo.bank.regulator import REGULATOR
from okno.core.demo.shapes import OrgDef

SIGN = "Служба заботы о клиентах, Банк «Горизонт»"

# The order counts: scenarios are drawn from this tuple by the seeded random stream.
SCENARIOS = (*CARDS, *LOANS, *REGULATOR, *EVERYDAY)

BANK = OrgDef(
    code="bank",
    name="Банк «Горизонт»",
    signature=SIGN,
    front_queue="bank-first-line",
    dispatcher="dispatcher",
    supervisor="supervisor",
    queues=QUEUES,
    categories=CATEGORIES,
    products=PRODUCTS,
    staff=STAFF,
    client_orgs=CLIENT_ORGS,
    persons=75,
    scenarios=SCENARIOS,
    later_tags=("на контроле", "повторное", "угроза суда", "жалоба в СМИ"),
    generic_notes=(
        "Перезвонила клиенту, подтвердила, что обращение принято. Ответ будет письменно.",
        "Запросил выписку по счёту за последние 3 месяца.",
        "Согласовано с руководителем группы, готовлю ответ.",
        "Клиент VIP-сегмента, держу на личном контроле.",
    ),
    generic_ask="Чтобы ответить по существу, уточните, пожалуйста, дату и сумму операции и последние 4 цифры "
    "карты или номер договора.",
    reopen_texts=(
        "Добрый день. Вы писали, что деньги вернутся в течение 5 рабочих дней, но прошло уже две недели, и "
        "ничего не поступило. Прошу проверить.",
        "С ответом не согласен. Прошу рассмотреть повторно — я предоставил все документы.",
        "Проблема повторилась снова, опять то же самое. Разберитесь, пожалуйста, по-настоящему.",
    ),
    domain="bank-gorizont.example.com",
    weight=55,
)
