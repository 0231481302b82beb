"""The text terms and the sums of money the rules read, without a database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from okno.core.errors import InvalidInput
from okno.routing.services.amounts import amounts, largest
from okno.routing.services.textmatch import Document, clean_term, compile_term


def found(term: str, text: str) -> bool:
    return compile_term(term).found_in(Document("", text))


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("кредит", "погашение кредита", True),
        ("кредит", "платёж по кредитам", True),
        ("кредита", "оформил кредит", True),  # the other way round too
        ("суд", "обращусь в суды", True),
        ("суд", "такова судьба", False),
        ("иск", "искать", False),
        ("ёлка", "ЕЛКИ", True),  # «ё» is «е», case does not matter
        ('"Банк России"', "в БАНК РОССИИ", True),
        ("Банк России", "Банк России", True),  # several words without quotes: a phrase
        ("«ЦБ РФ»", "жалоба в ЦБ РФ", True),
        ('"ЦБ РФ"', "ЦБ-РФ", True),  # punctuation between words is no word
        ('"ЦБ РФ"', "ЦБ и РФ", False),
        ("кредитн*", "кредитный договор", True),
        ("кредитн*", "кредит", False),
        ("/\\bИНН\\s*\\d{10,12}\\b/", "мой инн 7701234567", True),
        ("refund", "Refunded twice", True),
    ],
)
def test_terms(term, text, expected):
    assert found(term, text) is expected


def test_a_phrase_at_the_end_of_the_text():
    assert found('"последнее слово"', "это последнее слово")
    assert not found('"последнее слово"', "это последнее")


@pytest.mark.parametrize(
    "pattern",
    ["/(a+)+$/", "/(a*)*/", "/((ab)+c)+/", r"/(\d{1,3})+руб/", r"/(?=(x+)+)y/"],
)
def test_patterns_that_backtrack_for_ever_are_refused(pattern):
    with pytest.raises(InvalidInput, match="itself repeated"):
        clean_term(pattern, "conditions.text")


@pytest.mark.parametrize("pattern", ["/a+b+/", r"/\d+(?:[.,]\d+)?/", "/(ab|cd){2}/", r"/[a-z]+@[a-z]+\.ru/"])
def test_ordinary_patterns_are_accepted(pattern):
    assert clean_term(pattern, "conditions.text") == pattern


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Прошу вернуть 150 000 руб. за карту", ["150000"]),
        ("ущерб 1,5 млн рублей", ["1500000"]),
        ("списали ₽ 20 000 без причины", ["20000"]),
        ("charged $1,200.50 twice", ["1200.50"]),
        ("USD 300 fee", ["300"]),
        ("150 тыс. ₽", ["150000"]),
        ("верните 300р", ["300"]),
        ("долг 150 т.р.", ["150000"]),
        ("€5k", ["5000"]),
        ("2.5 million dollars", ["2500000"]),
        ("1.200.000,50 руб", ["1200000.50"]),
        ("сумма 5000 рублей и ещё 200 руб", ["5000", "200"]),
        ("договор 12345 от 12.03.2024, тел. 8 912 345-67-89", []),
        ("Счёт 40817810099910004312", []),
        ("в 2023 году", []),
    ],
)
def test_sums_of_money(text, expected):
    assert amounts(text) == [Decimal(e) for e in expected]


def test_the_largest_sum():
    assert largest("500 руб. и 2 000 руб.") == Decimal(2000)
    assert largest("без денег") is None
