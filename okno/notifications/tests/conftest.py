"""The e-mail tests send through a real SMTP server: the ``smtp_server`` fixture of
``okno.channels.mail.testing`` (aiosmtpd in this process, on 127.0.0.1 and a free
port), which the root ``conftest.py`` registers. The names this app's tests import
from here stay here."""

from __future__ import annotations

from typing import Any

import pytest

from okno.channels.mail.testing import Received, Sink, SmtpServer, free_port, smtp_mailers

__all__ = ["Received", "Sink", "SmtpServer", "free_port", "smtp_mailers"]


@pytest.fixture
def smtp_settings(settings: Any, smtp_server: SmtpServer) -> SmtpServer:
    """Django sends through the real SMTP server (the test runner's in-memory
    outbox is replaced for this test)."""
    settings.MAILERS = smtp_mailers(smtp_server.port)
    settings.SITE_URL = "https://okno.bank.test"
    return smtp_server
