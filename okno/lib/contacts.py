"""Normalising contact details, so one person is found from any channel.

Phones become E.164 (``8 (912) 345-67-89`` → ``+79123456789``), e-mail addresses are
case-folded, messenger ids lose decorations. Pure functions, no Django.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

import phonenumbers


class ContactKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    VK = "vk"
    MAX = "max"
    OTHER = "other"


class InvalidContact(ValueError):
    """The value cannot be a contact of that kind."""


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(value: str) -> str:
    """Trim, fold case (Unicode-aware) and encode an internationalised domain as IDNA."""
    cleaned = unicodedata.normalize("NFKC", value).strip().strip("<>").strip()
    if not _EMAIL.match(cleaned):
        raise InvalidContact(f"not an e-mail address: {value!r}")
    local, _, domain = cleaned.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidContact(f"not an e-mail domain: {domain!r}") from None
    return f"{local.casefold()}@{domain.casefold()}"


def normalize_phone(value: str, default_region: str = "RU") -> str:
    """E.164. A Russian national number written with a leading 8 is understood."""
    cleaned = unicodedata.normalize("NFKC", value).strip()
    digits = re.sub(r"\D", "", cleaned)
    if default_region == "RU" and not cleaned.startswith("+") and len(digits) == 11 and digits[0] == "8":
        cleaned = "+7" + digits[1:]
    try:
        number = phonenumbers.parse(cleaned, default_region)
    except phonenumbers.NumberParseException:
        raise InvalidContact(f"not a phone number: {value!r}") from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidContact(f"not a possible phone number: {value!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_handle(value: str) -> str:
    cleaned = unicodedata.normalize("NFKC", value).strip()
    for prefix in ("https://t.me/", "http://t.me/", "t.me/", "https://vk.com/", "vk.com/"):
        if cleaned.lower().startswith(prefix):
            cleaned = cleaned[len(prefix) :]
    cleaned = cleaned.lstrip("@").casefold()
    if not cleaned:
        raise InvalidContact("empty messenger id")
    return cleaned


def normalize_contact(kind: str, value: str, default_region: str = "RU") -> str:
    if kind == ContactKind.EMAIL:
        return normalize_email(value)
    if kind in (ContactKind.PHONE, ContactKind.WHATSAPP):
        return normalize_phone(value, default_region)
    return normalize_handle(value)


def format_phone(e164: str) -> str:
    """+79123456789 → +7 912 345-67-89 for display."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
