"""Russian Post tracking numbers (ШПИ): the check digit against real published
numbers, the numbers Okno makes, and the warning for a typed-in one."""

from __future__ import annotations

import pytest

from okno.channels.post import tracking

# Real numbers published with real mail items (see okno/channels/post/tracking.py):
# a receipt printed as "115127 (80) 15138 5"; a pochta.ru tracking link in
# github.com/itsvic-dev/deliveries issue #115; a live tracking query in
# github.com/easylist/easylist issue #15681.
REAL = ["11512780151385", "14102192069353", "12342382236109"]


@pytest.mark.parametrize("number", REAL)
def test_real_published_numbers_pass_the_check_digit(number: str) -> None:
    assert tracking.is_valid(number)
    assert tracking.check_digit(number[:13]) == int(number[13])
    assert tracking.warning_for(number) == ""


@pytest.mark.parametrize("number", REAL)
def test_a_mistyped_digit_fails_the_check(number: str) -> None:
    wrong = number[:13] + str((int(number[13]) + 1) % 10)
    assert not tracking.is_valid(wrong)
    assert wrong in tracking.warning_for(wrong)
    swapped = number[:3] + number[4] + number[3] + number[5:]
    if swapped != number:
        assert not tracking.is_valid(swapped)


def test_numbers_okno_makes_carry_office_month_serial_and_a_valid_check_digit() -> None:
    number = tracking.make("125009", "06", 42)
    assert number.startswith("12500906" + "00042")
    assert len(number) == 14 and tracking.is_valid(number)
    assert tracking.make("115127", "80", 15138) == "11512780151385"


def test_what_people_type_is_normalised() -> None:
    assert tracking.normalize("115127 (80) 15138 5") == "11512780151385"
    assert not tracking.is_valid("1151278015138")  # 13 digits
    assert not tracking.is_valid("RA644000001RU")
