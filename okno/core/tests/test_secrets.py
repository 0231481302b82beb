"""Stored secrets (mailbox passwords): encrypted at rest, readable after a key rotation."""

from __future__ import annotations

import pytest

from okno.core import secrets


def test_a_secret_is_stored_encrypted_and_read_back(settings) -> None:
    stored = secrets.encrypt("пароль-123")
    assert "пароль" not in stored and stored != "пароль-123"
    assert secrets.decrypt(stored) == "пароль-123"
    assert secrets.encrypt("") == "" and secrets.decrypt("") == ""


def test_after_rotating_the_secret_key_old_values_still_read(settings) -> None:
    settings.SECRET_KEY = "old-key-" + "x" * 40
    stored = secrets.encrypt("imap-password")
    settings.SECRET_KEY = "new-key-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 40]
    assert secrets.decrypt(stored) == "imap-password"

    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(secrets.SecretUnreadable):
        secrets.decrypt(stored)
