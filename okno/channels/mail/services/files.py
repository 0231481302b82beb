"""Mail from files (.eml files, folders of them, mbox archives) for migrations from
an old system and for tests: read here, then stored and processed exactly as mail
fetched over IMAP is."""

from __future__ import annotations

import logging
import mailbox as mbox
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from okno.channels.mail.models import InboundMail, Mailbox
from okno.channels.mail.services import intake, store
from okno.channels.mail.services.intake import IntakeCounts
from okno.channels.mail.services.store import RawMail

log = logging.getLogger(__name__)

CHUNK = 200


def _is_mbox(path: Path) -> bool:
    if path.suffix.lower() in {".mbox", ".mbx"}:
        return True
    with path.open("rb") as stream:
        return stream.read(5) == b"From "


def read_paths(paths: Iterable[str | Path]) -> Iterator[RawMail]:
    """Every mail in ``paths``: files named (a mail each, or an mbox archive's
    messages), and in folders (recursively, in name order) the ``.eml`` files and
    mbox archives — not whatever else lies there (a manifest, notes)."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            yield from read_paths(p for p in found if p.suffix.lower() == ".eml" or _is_mbox(p))
        elif path.is_file():
            if _is_mbox(path):
                for index, message in enumerate(mbox.mbox(path, create=False)):
                    yield RawMail(raw=message.as_bytes(), source=f"{path.name}#{index + 1}")
            else:
                yield RawMail(raw=path.read_bytes(), source=str(path)[-200:])
        else:
            raise FileNotFoundError(str(path))


@dataclass
class IngestSummary:
    """What became of the mails given: ``counts`` by outcome (a mail given twice is
    counted twice), ``errors`` the mails a crash left unprocessed."""

    files: int = 0
    counts: IntakeCounts = field(default_factory=IntakeCounts)
    errors: int = 0

    def line(self) -> str:
        c = self.counts
        # Mail from one of our own mailboxes is automatic mail coming back: a loop.
        return (
            f"ingest files={self.files} appeals={c.appeals} threaded={c.threaded} bounces={c.bounces} "
            f"auto_replies={c.auto_replies + c.own} quarantined={c.quarantined} errors={self.errors}"
        )


def ingest(
    mails: Iterable[RawMail], *, mailbox: Mailbox | None = None, progress: Callable[[int], None] | None = None
) -> IngestSummary:
    """Store every mail (raw first), process what is pending, and say what became of
    each mail given, including ones stored by an earlier run (a re-import changes
    nothing and reports the same). ``errors`` counts mails left unprocessed by a crash."""
    summary = IngestSummary()
    keys: list[str] = []
    chunk: list[RawMail] = []

    def flush() -> None:
        keys.extend(store.store(mailbox, chunk).keys)
        chunk.clear()

    for mail in mails:
        summary.files += 1
        chunk.append(mail)
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    try:
        intake.process_pending(progress=progress)
    except Exception:  # counted below as mails left unprocessed, and logged
        log.exception("processing imported mail stopped")
    outcomes = _outcomes(keys)
    for key in keys:
        outcome = outcomes.get(key, "")
        if outcome:
            summary.counts.add(outcome)
        else:
            summary.errors += 1
    return summary


def _outcomes(keys: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), 2000):
        part = unique[start : start + 2000]
        found.update(InboundMail.objects.filter(message_key__in=part).values_list("message_key", "outcome"))
    return found
