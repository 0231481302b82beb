"""Russian Post domestic tracking numbers (ШПИ, штриховой почтовый идентификатор).

Fourteen digits: the 6-digit postcode of the accepting office, a 2-digit month
code, a 5-digit serial within that month, and a check digit. The check digit
(RTM 0001.01-99; as implemented in ssvarentsov/TrackValidX, ``.src/FMain.class``):
digits 1, 3, …, 13 weigh 3, digits 2, 4, …, 12 weigh 1, and the check digit is
``(10 − sum mod 10) mod 10``. Verified against numbers published with real items:
11512780151385 (a receipt shown as "115127 (80) 15138 5"), 14102192069353
(github.com/itsvic-dev/deliveries issue #115, a pochta.ru tracking link) and
12342382236109 (github.com/easylist/easylist issue #15681, a live tracking query);
see ``tests/test_tracking.py``.

The month code: Russian Post issues the codes with the ranges of numbers it gives
an organisation (observed codes run past 12), so the administrator may set it;
by default Okno uses the calendar month.
"""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext as _

TRACKING_RE = re.compile(r"[0-9]{14}\Z")
POSTCODE_RE = re.compile(r"[0-9]{6}\Z")


def check_digit(first13: str) -> int:
    digits = [int(c) for c in first13]
    if len(digits) != 13:
        raise ValueError("13 digits expected")
    total = 3 * sum(digits[0::2]) + sum(digits[1::2])
    return (10 - total % 10) % 10


def is_valid(number: str) -> bool:
    """A 14-digit number whose check digit is right."""
    return bool(TRACKING_RE.match(number)) and check_digit(number[:13]) == int(number[13])


def make(postcode: str, month_code: str, serial: int) -> str:
    """The tracking number for ``serial`` of a month at the office ``postcode``."""
    if not POSTCODE_RE.match(postcode):
        raise ValueError("the office postcode must be 6 digits")
    if not re.fullmatch(r"[0-9]{2}", month_code) or not 0 <= serial <= 99999:
        raise ValueError("bad month code or serial")
    first13 = f"{postcode}{month_code}{serial:05d}"
    return first13 + str(check_digit(first13))


def month_code_of(day: date, override: str = "") -> str:
    return override if override else f"{day.month:02d}"


def normalize(raw: str) -> str:
    """What a person typed ("115127 (80) 15138 5") as the 14 digits."""
    return re.sub(r"[\s()\-]", "", raw or "")


def warning_for(number: str) -> str:
    """A warning for a typed-in number whose check digit fails (it is kept anyway:
    a pre-printed label is what goes on the envelope)."""
    if not number or is_valid(number):
        return ""
    return _("The check digit of tracking number %(number)s does not match; check it against the label.") % {
        "number": number
    }
