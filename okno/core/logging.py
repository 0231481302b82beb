"""Keep personal data out of logs.

Code is written not to log names, addresses or message text, but exceptions from
deeper layers can still carry them (a unique-constraint error quoting an e-mail, a
parser error quoting a header). This filter is the second line: it masks e-mail
addresses and phone-like digit runs in every record before it is written.
"""

from __future__ import annotations

import logging
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A phone: 10 to 15 digits, optionally after "+", broken only by single spaces,
# dashes or brackets. Dots never appear inside, so timings ("201 12.5ms") and
# decimal numbers are left alone.
_PHONE = re.compile(r"(?<![\w.])\+?\d(?:[ ()-]{0,2}\d){9,14}(?![\w.])")


def redact(text: str) -> str:
    text = _EMAIL.sub("<email>", text)
    return _PHONE.sub(_mask_phone, text)


_APPEAL_NUMBER = re.compile(r"\d{4}-\d{6,9}")
# A date, maybe with its hour, as logs write them ("2026-11-24 08:36:12").
_DATE = re.compile(r"(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:[ T]\d\d)?")


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    # Appeal numbers (2026-000123) help to trace a problem and name no one; nor do dates.
    return text if _APPEAL_NUMBER.fullmatch(text) or _DATE.fullmatch(text) else "<phone>"


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not kill logging
            return True
        cleaned = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Render the traceback now, redacted, so the handler does not re-render it.
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        record.msg = cleaned
        record.args = None
        return True
