"""Every message of the shared corpus (331 real test mails from public parser suites)
goes the whole way through ``mail ingest-files``: registered, threaded, recognised as
a bounce or an auto-reply, or quarantined with a reason. None crashes, none is lost,
and importing them again changes nothing."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from okno.appeals.models import Appeal, Message
from okno.channels.mail.choices import InboundOutcome, InboundState
from okno.channels.mail.models import InboundMail, Mailbox
from okno.testing import Org

CORPUS = Path(os.environ.get("OKNO_MAIL_CORPUS", "/work/shared/data/emails"))
LINE = re.compile(
    r"^ingest files=(\d+) appeals=(\d+) threaded=(\d+) bounces=(\d+) auto_replies=(\d+) quarantined=(\d+) errors=(\d+)$",
    re.M,
)


def _ingest(*args: str) -> dict[str, int]:
    out = io.StringIO()
    call_command("mail", "ingest-files", *args, stdout=out)
    match = LINE.search(out.getvalue())
    assert match, out.getvalue()
    names = ["files", "appeals", "threaded", "bounces", "auto_replies", "quarantined", "errors"]
    return dict(zip(names, map(int, match.groups()), strict=True))


@pytest.mark.django_db
def test_the_whole_corpus_is_registered_or_accounted_for_and_a_reimport_changes_nothing(
    org: Org, mailbox: Mailbox, django_capture_on_commit_callbacks
) -> None:
    manifest = list(csv.DictReader((CORPUS / "manifest.csv").open(encoding="utf-8")))
    assert len(manifest) == 331, f"the corpus is missing at {CORPUS}"

    with django_capture_on_commit_callbacks(execute=True):
        first = _ingest(str(CORPUS), "--mailbox", mailbox.name)

    assert first["files"] == 331
    assert first["errors"] == 0
    accounted = first["appeals"] + first["threaded"] + first["bounces"] + first["auto_replies"] + first["quarantined"]
    assert accounted == 331
    # Every stored mail reached an end state with its raw bytes; quarantined ones say why.
    rows = InboundMail.objects.all()
    assert not rows.filter(state=InboundState.PENDING).exists()
    assert not rows.filter(state=InboundState.QUARANTINED, reason="").exists()
    assert all(len(bytes(r.raw)) == r.size > 0 for r in rows)
    # The manifest's delivery reports are recognised as bounces, never registered as appeals.
    bounces = {row["file"] for row in manifest if row["delivery_status"] == "True"}
    assert first["bounces"] >= len(bounces) * 0.9
    assert first["appeals"] >= 150
    # Some files of the corpus are the same mail (byte-identical, or only CRLF vs LF):
    # stored and registered once, counted for each file.
    appeals = Appeal.objects.count()
    assert appeals == InboundMail.objects.filter(outcome=InboundOutcome.APPEAL).count()
    assert InboundMail.objects.count() < 331
    # Nothing garbled: no replacement character in what agents read unless the mail
    # itself carries one (one corpus subject has U+FFFD encoded in its bytes).
    for row in InboundMail.objects.filter(outcome=InboundOutcome.APPEAL).select_related("appeal"):
        assert row.appeal is not None
        texts = [
            row.appeal.subject,
            *Message.objects.filter(appeal=row.appeal, direction="inbound").values_list("body_text", flat=True),
        ]
        if any("\ufffd" in text for text in texts):
            assert b"\xef\xbf\xbd" in bytes(row.raw), row.source

    with django_capture_on_commit_callbacks(execute=True):
        again = _ingest(str(CORPUS), "--mailbox", mailbox.name)
    assert again == first
    assert Appeal.objects.count() == appeals
    assert InboundMail.objects.filter(outcome=InboundOutcome.APPEAL).count() == appeals
