"""Text search: Russian word forms, case and «ё», numbers — same on both databases."""

import pytest

from okno.appeals import services
from okno.appeals.models import Appeal
from okno.appeals.services.search import filter_text


def found(text):
    return set(filter_text(Appeal.objects.all(), text).values_list("subject", flat=True))


@pytest.fixture
def appeals(org):
    org.appeal(subject="Не могу погасить кредит досрочно")
    org.appeal(subject="Ошибка в начислении процентов")
    org.appeal(subject="Заблокирована карта, ёлки-палки")
    org.appeal(subject="Card blocked abroad")


@pytest.mark.parametrize(
    ("query", "subjects"),
    [
        ("кредита", {"Не могу погасить кредит досрочно"}),
        ("КРЕДИТ досрочное", {"Не могу погасить кредит досрочно"}),
        ("процент", {"Ошибка в начислении процентов"}),
        ("елки", {"Заблокирована карта, ёлки-палки"}),
        ("ЁЛКИ", {"Заблокирована карта, ёлки-палки"}),
        ("blocking", {"Card blocked abroad"}),
        ("карта кредит", set()),
        ("!!!", set()),
    ],
)
def test_words_match_in_any_form(appeals, query, subjects):
    assert found(query) == subjects


def test_the_client_name_and_messages_are_searched(org):
    appeal = org.appeal(subject="Вопрос")
    services.add_message(org.anna, appeal, body_text="Прилагаю квитанцию об оплате")
    assert filter_text(Appeal.objects.all(), "квитанции").get() == appeal
    assert filter_text(Appeal.objects.all(), "иванова").get() == appeal


def test_a_number_finds_its_appeal(org):
    first, second = org.appeal(), org.appeal()
    assert filter_text(Appeal.objects.all(), second.number).get() == second
    assert filter_text(Appeal.objects.all(), f" {first.number} ").get() == first
    assert second in filter_text(Appeal.objects.all(), str(second.seq))


def test_editing_the_subject_reindexes(org):
    appeal = org.appeal(subject="Старая тема")
    services.update_fields(org.anna, appeal, {"subject": "Ипотека"})
    assert found("ипотеки") == {"Ипотека"}
    assert found("старая") == set()
