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
# Seven or more digits, optionally broken by spaces, dashes, dots or brackets,
# optionally starting with "+": phone numbers, but not years or ids below 10^6.
_PHONE = re.compile(r"\+?\d[\d\s().-]{5,}\d")


def redact(text: str) -> str:
    text = _EMAIL.sub("<email>", text)
    return _PHONE.sub(_mask_phone, text)


_APPEAL_NUMBER = re.compile(r"\d{4}-\d{6,9}")


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    if _APPEAL_NUMBER.fullmatch(text):  # appeal numbers help to trace, and name no one
        return text
    digits = sum(ch.isdigit() for ch in text)
    return "<phone>" if digits >= 7 else text


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
