"""Mailbox listeners: one thread per active mailbox, IMAP IDLE (or polling), raw
mail stored the moment it arrives.

Run by the worker that runs the scheduler (``manage.py serve`` starts it), or alone
with ``manage.py mail listen``. Every 15 s the set of mailboxes is read again: a new
or changed mailbox gets a fresh listener, a deactivated one is stopped. After
storing, the listener processes what it stored at once (the intake task enqueued by
the store finds it done): on one machine that saves the task queue's polling delay.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.db import close_old_connections
from django.utils import timezone

from okno.channels.mail.choices import MailboxState
from okno.channels.mail.models import Mailbox
from okno.channels.mail.services import intake, outbox, store
from okno.channels.mail.services.store import RawMail
from okno.channels.mail.transport import imap, imap_loop

log = logging.getLogger(__name__)

RESCAN_SECONDS = 15.0


@dataclass
class _Running:
    thread: threading.Thread
    stop: threading.Event
    fingerprint: tuple[object, ...]


def _fingerprint(mailbox: Mailbox) -> tuple[object, ...]:
    """What, when changed, needs a new connection."""
    from okno.channels.mail.services.mailboxes import CONNECTION_FIELDS

    return tuple(getattr(mailbox, name) for name in CONNECTION_FIELDS)


def _report(mailbox_id: int, state: str, detail: str = "") -> None:
    try:
        Mailbox.objects.filter(pk=mailbox_id).update(
            state=state, state_detail=detail[:2000], state_changed_at=timezone.now()
        )
    finally:
        close_old_connections()


class Processor:
    """Processes stored mail in a thread of its own as soon as a listener stored some,
    so the listener marks the mail on the server right after the commit (the
    window a crash could leave unmarked stays a few milliseconds) and goes back to
    waiting while the appeals are registered and acknowledged."""

    def __init__(self, stop: threading.Event) -> None:
        self._stop = stop
        self._news = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mail-intake", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._news.set()

    def join(self, timeout: float) -> None:
        self._news.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._news.wait()
            self._news.clear()
            if self._stop.is_set():
                break
            try:
                intake.process_pending()
                outbox.send_due()
            except Exception:
                log.exception("processing received mail failed; the intake task will retry")
            finally:
                close_old_connections()


def listen_to(
    mailbox_id: int, stop: threading.Event, *, process: bool = True, processor: Processor | None = None
) -> None:
    """Listen to one mailbox until ``stop`` is set."""
    from okno.channels.mail.services.mailboxes import imap_settings

    own = processor is None and process
    if own:
        processor = Processor(stop)

    def settings_provider() -> imap.ImapSettings:
        close_old_connections()
        return imap_settings(Mailbox.objects.get(pk=mailbox_id))

    def position() -> tuple[int | None, int]:
        close_old_connections()
        mailbox = Mailbox.objects.get(pk=mailbox_id)
        return mailbox.uidvalidity, mailbox.last_uid

    def store_batch(uidvalidity: int, mails: list[imap.FetchedMail]) -> None:
        close_old_connections()
        mailbox = Mailbox.objects.get(pk=mailbox_id)
        added = store.store(mailbox, [RawMail(raw=m.raw, uid=m.uid) for m in mails], uidvalidity=uidvalidity).added
        if added and processor is not None:
            processor.wake()

    def report(state: str, detail: str) -> None:
        _report(mailbox_id, state, detail)

    imap_loop.run_mailbox(settings_provider, position, store_batch, report, stop)
    if own and processor is not None:
        processor.join(timeout=30)
    _report(mailbox_id, MailboxState.STOPPED)


def run(stop: threading.Event, *, process: bool = True) -> None:
    """Keep a listener running for every active mailbox until ``stop`` is set."""
    running: dict[int, _Running] = {}
    processor = Processor(stop) if process else None
    if processor is not None:
        processor.wake()  # what a stopped or killed worker left: at once, not at the next periodic run
    try:
        while not stop.is_set():
            close_old_connections()
            wanted = {m.pk: m for m in Mailbox.objects.filter(is_active=True).exclude(imap_host="")}
            for pk, current in list(running.items()):
                mailbox = wanted.get(pk)
                if mailbox is None or _fingerprint(mailbox) != current.fingerprint or not current.thread.is_alive():
                    current.stop.set()
                    current.thread.join(timeout=10)
                    del running[pk]
            for pk, mailbox in wanted.items():
                if pk not in running:
                    halt = threading.Event()
                    thread = threading.Thread(
                        target=listen_to,
                        args=(pk, halt),
                        kwargs={"process": process, "processor": processor},
                        name=f"mail-{pk}",
                        daemon=True,
                    )
                    thread.start()
                    running[pk] = _Running(thread, halt, _fingerprint(mailbox))
            stop.wait(RESCAN_SECONDS)
    finally:
        for current in running.values():
            current.stop.set()
        for current in running.values():
            current.thread.join(timeout=10)
        if processor is not None:
            processor.join(timeout=30)
        close_old_connections()


def fetch_once(mailbox: Mailbox, *, process: bool = True) -> int:
    """Read a mailbox once without staying connected (cron-style polling, imports,
    the benchmark): everything after the stored position is stored, marked processed
    on the server after each commit, and processed. Returns how many were new."""
    from okno.channels.mail.services.mailboxes import imap_settings

    added = 0
    with imap.ImapSession(imap_settings(mailbox)) as session:
        position = session.select()
        start = mailbox.last_uid if mailbox.uidvalidity == position.uidvalidity else 0
        for batch in session.fetch_after(start):
            mails = [RawMail(raw=m.raw, uid=m.uid) for m in batch]
            added += store.store(mailbox, mails, uidvalidity=position.uidvalidity).added
            session.mark_processed([m.uid for m in batch])
    if process:
        intake.process_pending()
    return added


def start_in_background(stop: threading.Event) -> threading.Thread:
    """For the worker: the listeners in a thread of their own."""
    thread = threading.Thread(target=run, args=(stop,), name="mail-listeners", daemon=True)
    thread.start()
    return thread
