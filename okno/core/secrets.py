"""Secrets Okno must keep and use again (mailbox passwords): encrypted at rest.

The key is derived from ``SECRET_KEY`` (HKDF), so every machine of an installation
reads what any other wrote, and rotating keys is Django's own: move the old key to
``SECRET_KEY_FALLBACKS``, and values encrypted under it still decrypt (and are
re-encrypted under the new key the next time they are saved).
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored value was encrypted under a key this installation no longer has."""


def _fernet_key(secret_key: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"okno.core.secrets", info=b"stored-secrets").derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(derived)


@cache
def _fernet(secret_key: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in (secret_key, *fallbacks)])


def _current() -> MultiFernet:
    return _fernet(settings.SECRET_KEY, tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ())))


def encrypt(value: str) -> str:
    """The text to store for ``value`` ("" stays "": no secret set)."""
    if not value:
        return ""
    return _current().encrypt(value.encode()).decode("ascii")


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    try:
        return _current().decrypt(stored.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        raise SecretUnreadable("the stored secret cannot be decrypted with this installation's keys") from None
