"""The bank's reference data: queues, categories, products, staff and the client organisations."""

from __future__ import annotations

from okno.accounts.choices import Role
from okno.core.demo.shapes import CategoryDef, ClientOrgDef, ProductDef, QueueDef, StaffDef

QUEUES = (
    QueueDef(
        "bank-first-line",
        "Первая линия",
        "First line",
        "Банк «Горизонт»: контакт-центр — звонки, чаты, простые вопросы и консультации.",
        15,
    ),
    QueueDef(
        "bank-cards",
        "Претензии по картам",
        "Card claims",
        "Банк «Горизонт»: оспаривание операций, комиссии, банкоматы, chargeback.",
        30,
    ),
    QueueDef(
        "bank-loans",
        "Кредиты",
        "Loans",
        "Банк «Горизонт»: досрочное погашение, страхование, кредитная история, справки.",
        30,
    ),
    QueueDef(
        "bank-regulator",
        "Обращения ЦБ/регулятора",
        "Central bank / regulator",
        "Банк «Горизонт»: жалобы, поступившие через Банк России. Ответы согласует руководитель.",
        10,
        approval=True,
    ),
)

CATEGORIES = (
    CategoryDef(
        "bank-cards",
        "Карты",
        "Cards",
        (
            ("bank-cards-fees", "Комиссии", "Fees"),
            ("bank-cards-fraud", "Несанкционированные операции", "Unauthorised transactions"),
            ("bank-cards-disputes", "Спорные операции", "Disputed transactions"),
            ("bank-cards-atm", "Банкоматы", "ATMs"),
            ("bank-cards-cashback", "Кэшбэк и бонусы", "Cashback and rewards"),
            ("bank-cards-reissue", "Выпуск и блокировка", "Issue and blocking"),
        ),
    ),
    CategoryDef(
        "bank-loans",
        "Кредиты",
        "Loans",
        (
            ("bank-loans-early", "Досрочное погашение", "Early repayment"),
            ("bank-loans-insurance", "Страхование", "Insurance"),
            ("bank-loans-history", "Кредитная история", "Credit history"),
            ("bank-loans-restructuring", "Реструктуризация и каникулы", "Restructuring and payment holidays"),
            ("bank-loans-certificates", "Справки", "Certificates"),
        ),
    ),
    CategoryDef(
        "bank-accounts",
        "Счета и вклады",
        "Accounts and deposits",
        (
            ("bank-accounts-interest", "Проценты по вкладам", "Deposit interest"),
            ("bank-accounts-business", "Расчётный счёт", "Business account"),
            ("bank-accounts-115fz", "Ограничения по 115-ФЗ", "Restrictions under Law 115-FZ"),
        ),
    ),
    CategoryDef(
        "bank-transfers",
        "Переводы и платежи",
        "Transfers and payments",
        (
            ("bank-transfers-sbp", "СБП", "Faster Payments System"),
            ("bank-transfers-wrong", "Ошибочный перевод", "Mistaken transfer"),
        ),
    ),
    CategoryDef(
        "bank-remote",
        "Дистанционное обслуживание",
        "Online banking",
        (("bank-remote-app", "Мобильное приложение", "Mobile app"),),
    ),
    CategoryDef(
        "bank-service",
        "Обслуживание",
        "Service",
        (
            ("bank-service-office", "Обслуживание в офисе", "Service in a branch"),
            ("bank-service-collection", "Взыскание задолженности", "Debt collection"),
            ("bank-service-thanks", "Благодарности", "Thanks"),
        ),
    ),
)

PRODUCTS = (
    ProductDef("bank-grp-cards", "Карты", "Cards"),
    ProductDef("bank-debit-card", "Дебетовая карта «Горизонт Плюс»", "Gorizont Plus debit card", "bank-grp-cards"),
    ProductDef(
        "bank-credit-card",
        "Кредитная карта «120 дней без процентов»",
        "120 days interest-free credit card",
        "bank-grp-cards",
    ),
    ProductDef("bank-salary-card", "Зарплатная карта", "Salary card", "bank-grp-cards"),
    ProductDef("bank-grp-loans", "Кредиты", "Loans"),
    ProductDef("bank-consumer-loan", "Потребительский кредит", "Consumer loan", "bank-grp-loans"),
    ProductDef("bank-mortgage", "Ипотека", "Mortgage", "bank-grp-loans"),
    ProductDef("bank-car-loan", "Автокредит", "Car loan", "bank-grp-loans"),
    ProductDef("bank-pos-loan", "Кредит на покупку в магазине-партнёре", "Point-of-sale loan", "bank-grp-loans"),
    ProductDef("bank-grp-savings", "Вклады и счета", "Deposits and accounts"),
    ProductDef("bank-deposit", "Вклад «Надёжный»", "Nadyozhny deposit", "bank-grp-savings"),
    ProductDef("bank-savings", "Накопительный счёт", "Savings account", "bank-grp-savings"),
    ProductDef("bank-business-account", "Расчётный счёт для бизнеса", "Business current account", "bank-grp-savings"),
    ProductDef("bank-grp-remote", "Дистанционные сервисы", "Online services"),
    ProductDef("bank-mobile", "Мобильный банк «Горизонт Онлайн»", "Gorizont Online mobile bank", "bank-grp-remote"),
    ProductDef("bank-sbp", "Переводы по СБП", "Faster Payments System transfers", "bank-grp-remote"),
)

STAFF = (
    StaffDef(
        "supervisor",
        Role.SUPERVISOR,
        "Орлова",
        "Наталья",
        "Сергеевна",
        ("bank-first-line", "bank-cards", "bank-loans", "bank-regulator"),
    ),
    StaffDef("agent", Role.AGENT, "Смирнова", "Анна", "Игоревна", ("bank-first-line", "bank-cards")),
    StaffDef("kuznetsov", Role.AGENT, "Кузнецов", "Борис", "Алексеевич", ("bank-first-line",)),
    StaffDef("fedorova", Role.AGENT, "Фёдорова", "Ольга", "Павловна", ("bank-first-line", "bank-loans")),
    StaffDef("petrov", Role.SPECIALIST, "Петров", "Игорь", "Николаевич", ("bank-cards",)),
    StaffDef("sokolova", Role.SPECIALIST, "Соколова", "Елена", "Михайловна", ("bank-loans",)),
    StaffDef("zaitsev", Role.SPECIALIST, "Зайцев", "Максим", "Дмитриевич", ("bank-regulator", "bank-loans")),
    StaffDef("grigoryeva", Role.AGENT, "Григорьева", "Татьяна", "Юрьевна", ("bank-regulator",)),
)

CLIENT_ORGS = (
    ClientOrgDef("ООО «СтройГарант»", "sme", "Москва", "7728", "sme"),
    ClientOrgDef("ООО «Вектор Логистик»", "sme", "Санкт-Петербург", "7810", "sme"),
    ClientOrgDef("ИП Кравченко Олег Петрович", "sme", "Краснодар", "2310", "sme", sole_trader=True),
    ClientOrgDef("ООО «Пекарня на Садовой»", "sme", "Самара", "6316", "sme"),
    ClientOrgDef("ООО «АвтоТрейд Поволжье»", "sme", "Казань", "1655", "sme"),
    ClientOrgDef("ИП Соколова Марина Андреевна", "sme", "Екатеринбург", "6658", "sme", sole_trader=True),
    ClientOrgDef("ООО «ТехСнаб-Урал»", "sme", "Пермь", "5902", "sme"),
    ClientOrgDef("АО «Зелёный город»", "sme", "Нижний Новгород", "5260", "corporate"),
    ClientOrgDef("ООО «Медицинский центр «Здоровье»", "sme", "Воронеж", "3664", "sme"),
)
