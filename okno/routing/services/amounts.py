"""Sums of money mentioned in an appeal's text, for the rule condition "amount over".

Russian and English ways of writing money are read: «150 000 руб.», «1,5 млн
рублей», «₽ 20 000», «150 тыс. ₽», «300р», «150 т.р.», "$1,200.50", "USD 300",
"€5k", "2.5 million dollars". A number counts only next to a currency (before or
after it, a multiplier between), so contract numbers, dates and phone numbers are
not sums. Currencies are not converted: the figure is compared as written.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

_SPACE = "[ \u00a0\u202f\u2009]"
_NUMBER = (
    r"(?P<number>"
    rf"\d{{1,3}}(?:{_SPACE}\d{{3}})+(?:[.,]\d{{1,2}})?"  # 150 000, 1 200,50
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 1,200.50
    r"|\d{1,3}(?:\.\d{3})+(?:,\d+)?"  # 1.200.000,50
    r"|\d+(?:[.,]\d+)?"  # 20000, 1,5, 1.5
    r")"
)
_MULTIPLIER = (
    r"(?P<multiplier>"
    r"(?<=\d)[kк](?![\w])"
    r"|тыс(?:\.|яч[аиуе]?\b|\b)"
    r"|млн\b\.?|миллион(?:а|ов|ами|ах)?\b"
    r"|млрд\b\.?|миллиард(?:а|ов|ами|ах)?\b"
    r"|thousands?\b|million\b|mln\b|mn\b|billion\b|bn\b"
    r")"
)
_AFTER = (
    r"(?P<after>"
    r"руб(?:л(?:ь|я|ей|ям|ями|ях|ю)\b|\b\.?)"
    r"|р\.|р(?![\w])"
    r"|т\.\s?р\.?"  # тысяч рублей
    r"|₽|rub\b|rur\b|roubles?\b|rubles?\b"
    r"|\$|usd\b|долл(?:ар(?:а|ов|ы|ами)?)?\b\.?|dollars?\b"
    r"|€|eur\b|евро\b|euros?\b"
    r")"
)
# A currency just before the number, looked for only there (the number comes first
# in the pattern, so scanning the text is a search for digits).
_BEFORE: Final = re.compile(r"(?:₽|\$|€|\brub|\brur|\busd|\beur|\bруб\.?)\s?\Z", re.IGNORECASE | re.UNICODE)
_LOOKBACK: Final = 6

# Numbers are found by their first digit (a plain search, many times faster than the
# whole case-insensitive pattern), then read from there.
_START: Final = re.compile(r"\d")
_PATTERN: Final = re.compile(
    rf"{_NUMBER}(?:\s?{_MULTIPLIER})?(?:\s?{_AFTER})?",
    re.IGNORECASE | re.UNICODE,
)
_FACTORS: Final = (
    ("млрд", 10**9),
    ("миллиард", 10**9),
    ("billion", 10**9),
    ("bn", 10**9),
    ("млн", 10**6),
    ("миллион", 10**6),
    ("million", 10**6),
    ("mln", 10**6),
    ("mn", 10**6),
    ("тыс", 10**3),
    ("thousand", 10**3),
    ("k", 10**3),
    ("к", 10**3),
)
# More than anyone could claim; a longer run of digits is an account number.
_LIMIT: Final = Decimal("1e15")


def _number(text: str) -> Decimal | None:
    digits = re.sub(_SPACE, "", text)
    if "," in digits and "." in digits:
        # The later one separates the fraction: 1,200.50 or 1.200,50.
        if digits.rfind(",") > digits.rfind("."):
            digits = digits.replace(".", "").replace(",", ".")
        else:
            digits = digits.replace(",", "")
    elif digits.count(",") > 1 or (digits.count(",") == 1 and len(digits) - digits.index(",") == 4):
        digits = digits.replace(",", "")  # 1,200 and 1,200,000: thousands
    elif digits.count(".") > 1:
        digits = digits.replace(".", "")  # 1.200.000
    else:
        digits = digits.replace(",", ".")
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def _factor(word: str) -> int:
    word = word.casefold()
    for prefix, factor in _FACTORS:
        if word.startswith(prefix):
            return factor
    return 1


def amounts(text: str) -> list[Decimal]:
    """Every sum of money in ``text``, in order."""
    found: list[Decimal] = []
    end = 0
    for digit in _START.finditer(text):
        start = digit.start()
        if start < end or (start and (text[start - 1].isalnum() or text[start - 1] in "_.,")):
            continue  # inside the previous number, a word, a date or an account number
        match = _PATTERN.match(text, start)
        if match is None:
            continue
        end = match.end()
        after = match.group("after")
        if after is None and _BEFORE.search(text, max(0, start - _LOOKBACK), start) is None:
            continue
        value = _number(match.group("number"))
        if value is None:
            continue
        multiplier = match.group("multiplier")
        if multiplier:
            value *= _factor(multiplier)
        if after and after.casefold().startswith("т"):
            value *= 1000
        if value < _LIMIT:
            found.append(value)
    return found


def largest(text: str) -> Decimal | None:
    """The largest sum mentioned in ``text``, or None."""
    found = amounts(text)
    return max(found) if found else None
