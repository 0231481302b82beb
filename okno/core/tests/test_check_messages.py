"""scripts/check_messages.py reads Russian .po strings (its escapes, not its letters)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from django.conf import settings


def _module():  # type: ignore[no-untyped-def]
    path = Path(settings.BASE_DIR) / "scripts" / "check_messages.py"
    spec = importlib.util.spec_from_file_location("check_messages", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_unescape_keeps_cyrillic_and_undoes_escapes() -> None:
    unescape = _module().unescape
    assert unescape("Обращение «%(number)s»") == "Обращение «%(number)s»"
    assert unescape('a\\"b\\nc\\\\d\\te') == 'a"b\nc\\d\te'


def test_parse_po_reads_plural_forms() -> None:
    text = (
        'msgid "%(n)s appeal"\nmsgid_plural "%(n)s appeals"\nmsgstr[0] "%(n)s обращение"\nmsgstr[1] "%(n)s обращения"\n'
    )
    entries = _module().parse_po(text)
    assert entries[("", "%(n)s appeal")] == (["%(n)s обращение", "%(n)s обращения"], False)
