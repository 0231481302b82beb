"""Believable Russian people and organisations: names with patronymics in the
right gender, e-mail addresses in reserved domains, +7 phone numbers and tax ids
(ИНН) with valid check digits. Pure functions over a ``random.Random``."""

from __future__ import annotations

import random
from dataclasses import dataclass

# Male first name → (male patronymic, female patronymic).
MALE_NAMES: dict[str, tuple[str, str]] = {
    "Александр": ("Александрович", "Александровна"),
    "Алексей": ("Алексеевич", "Алексеевна"),
    "Андрей": ("Андреевич", "Андреевна"),
    "Антон": ("Антонович", "Антоновна"),
    "Артём": ("Артёмович", "Артёмовна"),
    "Борис": ("Борисович", "Борисовна"),
    "Вадим": ("Вадимович", "Вадимовна"),
    "Валерий": ("Валерьевич", "Валерьевна"),
    "Василий": ("Васильевич", "Васильевна"),
    "Виктор": ("Викторович", "Викторовна"),
    "Виталий": ("Витальевич", "Витальевна"),
    "Владимир": ("Владимирович", "Владимировна"),
    "Владислав": ("Владиславович", "Владиславовна"),
    "Геннадий": ("Геннадьевич", "Геннадьевна"),
    "Георгий": ("Георгиевич", "Георгиевна"),
    "Григорий": ("Григорьевич", "Григорьевна"),
    "Денис": ("Денисович", "Денисовна"),
    "Дмитрий": ("Дмитриевич", "Дмитриевна"),
    "Евгений": ("Евгеньевич", "Евгеньевна"),
    "Егор": ("Егорович", "Егоровна"),
    "Иван": ("Иванович", "Ивановна"),
    "Игорь": ("Игоревич", "Игоревна"),
    "Илья": ("Ильич", "Ильинична"),
    "Кирилл": ("Кириллович", "Кирилловна"),
    "Константин": ("Константинович", "Константиновна"),
    "Леонид": ("Леонидович", "Леонидовна"),
    "Максим": ("Максимович", "Максимовна"),
    "Марат": ("Маратович", "Маратовна"),
    "Михаил": ("Михайлович", "Михайловна"),
    "Николай": ("Николаевич", "Николаевна"),
    "Олег": ("Олегович", "Олеговна"),
    "Павел": ("Павлович", "Павловна"),
    "Пётр": ("Петрович", "Петровна"),
    "Ринат": ("Ринатович", "Ринатовна"),
    "Роман": ("Романович", "Романовна"),
    "Руслан": ("Русланович", "Руслановна"),
    "Сергей": ("Сергеевич", "Сергеевна"),
    "Станислав": ("Станиславович", "Станиславовна"),
    "Степан": ("Степанович", "Степановна"),
    "Тимур": ("Тимурович", "Тимуровна"),
    "Фёдор": ("Фёдорович", "Фёдоровна"),
    "Юрий": ("Юрьевич", "Юрьевна"),
    "Ярослав": ("Ярославович", "Ярославовна"),
}
FEMALE_NAMES = [
    "Александра",
    "Алина",
    "Алла",
    "Анастасия",
    "Анна",
    "Валентина",
    "Валерия",
    "Вера",
    "Виктория",
    "Галина",
    "Дарья",
    "Диана",
    "Екатерина",
    "Елена",
    "Елизавета",
    "Ирина",
    "Карина",
    "Ксения",
    "Лариса",
    "Людмила",
    "Любовь",
    "Маргарита",
    "Марина",
    "Мария",
    "Надежда",
    "Наталья",
    "Нина",
    "Оксана",
    "Ольга",
    "Полина",
    "Светлана",
    "Софья",
    "Татьяна",
    "Юлия",
]
# Surnames in the masculine form; the feminine is derived (invariable ones stay).
SURNAMES = """Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров
Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев
Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев
Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин
Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов
Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов
Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин
Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Быков Маслов Родионов
Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов
Журавлёв Овчинников Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров
Грачёв Котов Гришин Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов
Кондратьев Бирюков Горбунов Анисимов Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов
Нестеров Симонов Харитонов Князев Цветков Мальцев Логинов Горшков Савин Краснов Майоров Демидов
Елисеев Рыбаков Сафонов Плотников Хохлов Жданов Гарипов Хабибуллин Сафин Нуриев Ахметов Шевченко
Бондаренко Руденко Ковальчук Ким Полянский Вишневский Черных Седых""".split()  # noqa: SIM905

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)
# Reserved for examples (RFC 2606): nothing the demo sends can reach a real person.
PERSON_MAIL_DOMAINS = ["example.com", "example.net", "example.org"]
MOBILE_CODES = [903, 905, 906, 909, 910, 912, 915, 916, 917, 918, 919, 921, 925, 926, 927, 950, 952, 960, 977, 985]


@dataclass(frozen=True)
class Person:
    last_name: str
    first_name: str
    patronymic: str
    female: bool

    @property
    def full_name(self) -> str:
        """«Фамилия Имя Отчество», as a client card shows it."""
        return f"{self.last_name} {self.first_name} {self.patronymic}"

    @property
    def polite(self) -> str:
        """«Имя Отчество»: how a letter addresses the person."""
        return f"{self.first_name} {self.patronymic}"

    @property
    def short(self) -> str:
        """«Фамилия И. О.»"""
        return f"{self.last_name} {self.first_name[0]}. {self.patronymic[0]}."


def feminine(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith(("ский", "цкий")):
        return surname[:-2] + "ая"
    return surname  # Шевченко, Ковальчук, Ким, Черных: the same for both


def person(rng: random.Random, *, female: bool | None = None) -> Person:
    """A random person; about half are women unless ``female`` says."""
    if female is None:
        female = rng.random() < 0.52
    father = rng.choice(list(MALE_NAMES))
    surname = rng.choice(SURNAMES)
    if female:
        return Person(feminine(surname), rng.choice(FEMALE_NAMES), MALE_NAMES[father][1], True)
    first = rng.choice([n for n in MALE_NAMES if n != father] or list(MALE_NAMES))
    return Person(surname, first, MALE_NAMES[father][0], False)


def translit(text: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


def email_for(rng: random.Random, who: Person, taken: set[str]) -> str:
    """A personal address like ``a.smirnova@example.com``, unique within ``taken``."""
    first, last = translit(who.first_name), translit(who.last_name)
    patterns = [f"{first[0]}.{last}", f"{last}.{first}", f"{first}.{last}", f"{last}{rng.randint(70, 99)}"]
    domain = rng.choice(PERSON_MAIL_DOMAINS)
    for local in [*patterns, f"{last}.{first}{rng.randint(100, 999)}"]:
        address = f"{local}@{domain}"
        if address not in taken:
            taken.add(address)
            return address
    address = f"{last}{len(taken)}@{domain}"
    taken.add(address)
    return address


def mobile_phone(rng: random.Random) -> str:
    """A Russian mobile number as people write it: ``+7 916 123-45-67``."""
    code = rng.choice(MOBILE_CODES)
    return f"+7 {code} {rng.randint(200, 999)}-{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}"


def office_phone(rng: random.Random, area: str) -> str:
    return f"+7 ({area}) {rng.randint(200, 999)}-{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}"


def _check_digit(digits: list[int], weights: list[int]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_legal(rng: random.Random, region: str) -> str:
    """A 10-digit ИНН of a company with a valid check digit; ``region`` is its
    first four digits (region and tax office)."""
    digits = [int(c) for c in region] + [rng.randint(0, 9) for _ in range(5)]
    digits.append(_check_digit(digits, [2, 4, 10, 3, 5, 9, 4, 6, 8]))
    return "".join(map(str, digits))


def inn_person(rng: random.Random, region: str) -> str:
    """A 12-digit ИНН of a sole trader (ИП) with both check digits valid."""
    digits = [int(c) for c in region] + [rng.randint(0, 9) for _ in range(6)]
    digits.append(_check_digit(digits, [7, 2, 4, 10, 3, 5, 9, 4, 6, 8]))
    digits.append(_check_digit(digits, [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]))
    return "".join(map(str, digits))
