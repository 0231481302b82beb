"""Reference data both demo organisations share: the staff password, appeal kinds, common staff, cities."""

from __future__ import annotations

from okno.accounts.choices import Role
from okno.core.demo.bank import BANK
from okno.core.demo.climate import CLIMATE
from okno.core.demo.shapes import StaffDef

PASSWORD = "demo"
ORGS = (BANK, CLIMATE)
COMMON_STAFF = (
    StaffDef("admin", Role.ADMIN, "Морозов", "Андрей", "Викторович"),
    StaffDef("dispatcher", Role.DISPATCHER, "Волкова", "Дина", "Рашидовна"),
    StaffDef("compliance", Role.COMPLIANCE, "Лебедева", "Кира", "Олеговна"),
)
KINDS = {
    "complaint": ("Жалоба", "Complaint"),
    "claim": ("Претензия", "Claim"),
    "warranty_claim": ("Рекламация", "Warranty claim"),
    "request": ("Заявка", "Request"),
    "consultation": ("Консультация", "Consultation"),
    "gratitude": ("Благодарность", "Gratitude"),
}
# (as in an address, after «на …»)
STREETS = (
    ("ул. Ленина", "улице Ленина"),
    ("пр-т Мира", "проспекте Мира"),
    ("ул. Гагарина", "улице Гагарина"),
    ("Садовая ул.", "Садовой улице"),
    ("ул. Советская", "Советской улице"),
    ("пр-т Победы", "проспекте Победы"),
    ("ул. Пушкина", "улице Пушкина"),
    ("Московское ш.", "Московском шоссе"),
    ("Лесная ул.", "Лесной улице"),
    ("ул. Горького", "улице Горького"),
)
CITIES = {
    "Москва": ("495", "101"),
    "Санкт-Петербург": ("812", "190"),
    "Казань": ("843", "420"),
    "Екатеринбург": ("343", "620"),
    "Новосибирск": ("383", "630"),
    "Нижний Новгород": ("831", "603"),
    "Самара": ("846", "443"),
    "Краснодар": ("861", "350"),
    "Воронеж": ("473", "394"),
    "Пермь": ("342", "614"),
    "Уфа": ("347", "450"),
    "Челябинск": ("351", "454"),
    "Тюмень": ("345", "625"),
}
