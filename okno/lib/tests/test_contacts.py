"""Contacts normalise so one person is found from any channel."""

import pytest

from okno.lib.contacts import InvalidContact, format_phone, normalize_contact, normalize_email, normalize_phone


@pytest.mark.parametrize(
    "written",
    ["8 (912) 345-67-89", "+7 912 345 67 89", "89123456789", "+7(912)3456789", "７９１２３４５６７８９"],
)
def test_russian_phones_in_any_writing_become_e164(written):
    assert normalize_phone(written) == "+79123456789"


def test_foreign_phones_keep_their_country():
    assert normalize_phone("+49 30 1234567") == "+49301234567"


@pytest.mark.parametrize("bad", ["", "12", "телефон", "+7 912"])
def test_impossible_phones_are_refused(bad):
    with pytest.raises(InvalidContact):
        normalize_phone(bad)


def test_emails_fold_case_including_cyrillic_and_idn():
    assert normalize_email("  <Ivan.Petrov@Example.RU> ") == "ivan.petrov@example.ru"
    assert normalize_email("Почта@Пример.РФ") == "почта@xn--e1afmkfd.xn--p1ai"


@pytest.mark.parametrize("bad", ["ivan", "ivan@", "@example.ru", "a b@example.ru"])
def test_non_addresses_are_refused(bad):
    with pytest.raises(InvalidContact):
        normalize_email(bad)


def test_messenger_ids_lose_decorations():
    assert normalize_contact("telegram", "https://t.me/Ivan_Petrov") == "ivan_petrov"
    assert normalize_contact("telegram", "@Ivan_Petrov") == "ivan_petrov"
    assert normalize_contact("whatsapp", "8 912 345-67-89") == "+79123456789"


def test_phones_display_grouped():
    assert format_phone("+79123456789") == "+7 912 345-67-89"
