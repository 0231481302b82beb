"""The benchmark's mix of mails, built in memory (the same builder and seed as
``../shared/bench-peer/mail/load-mailbox.py``), and the check that a mail of it was
read as its sender wrote it. Used by the parsing tests and ``bench/mail_parse.py``."""

from __future__ import annotations

import importlib.util
import os
import random
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from okno.channels.mail.parsing import html_text, parse

LOADER = Path(os.environ.get("OKNO_BENCH_PEER", "/work/shared/bench-peer")) / "mail" / "load-mailbox.py"


def bench_mix(n: int, seed: int = 42) -> list[tuple[str, bytes]]:
    """(kind, raw bytes) of the first ``n`` messages load-mailbox.py would append."""
    spec = importlib.util.spec_from_file_location("load_mailbox", LOADER)
    assert spec is not None and spec.loader is not None
    loader: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loader)
    rng = random.Random(seed)
    return [loader.build(rng, i, seed) for i in range(1, n + 1)]


def garbled(raw: bytes) -> bool:
    """Does our reading differ from the stdlib's strict one (right for this mix)?"""
    mail = parse(raw)
    reference = message_from_bytes(raw, policy=policy.default)
    body = reference.get_body(("plain",))
    text = body.get_content() if body is not None else html_text(reference.get_body(("html",)).get_content())  # type: ignore[union-attr]
    return " ".join(text.split()) != " ".join(mail.body_text.split()) or str(reference["subject"]) != mail.subject
