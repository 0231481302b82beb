"""The listener loop: keeps one mailbox drained for as long as Okno runs — connect,
fetch what is above the stored position, hand it to ``store`` (which commits), mark
it on the server, wait for news, and reconnect with backoff after any failure.

Nothing here knows Django models: the caller gives settings, the stored position and
a ``store`` that commits. The UID position is the single source of truth about what
was taken; flags and moves on the server are a courtesy to the people who also look at
the mailbox, so failing to set them loses nothing.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from django.utils.translation import gettext as _

from .common import MailServerError
from .imap import FetchedMail, ImapSession, ImapSettings, Position

logger = logging.getLogger(__name__)


class Backoff:
    """Seconds to wait after the n-th failure in a row: doubling, capped, with jitter
    so many listeners do not all knock at once."""

    def __init__(self, initial: float = 1.0, maximum: float = 300.0) -> None:
        self.initial = initial
        self.maximum = maximum
        self.failures = 0

    def next_delay(self) -> float:
        delay = min(self.maximum, self.initial * (2.0 ** min(self.failures, 30)))
        self.failures += 1
        return delay * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.failures = 0


def run_mailbox(
    settings_provider: Callable[[], ImapSettings],
    position: Callable[[], tuple[int | None, int]],
    store: Callable[[int, list[FetchedMail]], None],
    report: Callable[[str, str], None],
    stop: threading.Event,
    *,
    idle_timeout: float = 29 * 60,
    poll_interval: float = 30,
    batch: int = 200,
    backoff_initial: float = 1.0,
    backoff_max: float = 300.0,
) -> None:
    """Keep one mailbox drained until ``stop`` is set.

    Each round: connect, select, fetch every UID after the stored position (all of
    them again when UIDVALIDITY changed: the store dedupes by Message-ID), hand each
    batch to ``store`` (which commits the mail and the new position), then flag or move
    exactly those messages, then wait for news (IDLE, or polling where the server lacks
    it). Mail that arrived while Okno was down is simply above the stored UID. Any
    error is reported and followed by a reconnect after a growing pause (reset once a
    whole round went well); only ``stop`` ends the loop. Settings are read again at each
    reconnect and after each wait; a wait that ends without news also opens the folder
    afresh, since a session is never told its folder was replaced."""
    backoff = Backoff(backoff_initial, backoff_max)
    last_report: tuple[str, str] | None = None

    def say(state: str, detail: str = "") -> None:
        nonlocal last_report
        if last_report != (state, detail):
            last_report = (state, detail)
            try:
                report(state, detail)
            except Exception:  # reporting must never stop the listener
                logger.warning("mail listener: the state report failed", exc_info=True)

    def read_settings() -> ImapSettings:
        try:
            return settings_provider()
        except Exception as exc:
            logger.error("mail listener: reading the mailbox settings failed", exc_info=True)
            message = getattr(exc, "message", None)
            raise MailServerError(
                "settings",
                message
                if isinstance(message, str) and message
                else _("The mailbox settings cannot be read (%(error)s).") % {"error": type(exc).__name__},
                temporary=False,
            ) from exc

    while not stop.is_set():
        try:
            settings = read_settings()
            say("connecting", f"{settings.host}:{settings.port}")
            with ImapSession(settings) as session:
                current = session.select()
                _tidy(session, current, position)
                while not stop.is_set():
                    _drain(session, current, position, store, batch, say)
                    if session.idle_supported:
                        say("idle", _("Waiting for new mail (the server pushes it: IDLE)."))
                        news = session.wait_for_news(idle_timeout, stop=stop)
                    else:
                        say(
                            "idle",
                            _("Checking for new mail every %(seconds)s s (the server cannot push it).")
                            % {"seconds": f"{poll_interval:g}"},
                        )
                        news = session.wait_for_news(poll_interval, stop=stop)
                    backoff.reset()  # a whole round went well
                    if stop.is_set():
                        break
                    if read_settings() != settings:
                        break  # new settings: connect again with them
                    if not news:
                        # A session waiting on a folder that was replaced (deleted and
                        # created again, restored) is never told: open it afresh.
                        current = session.select()
        except MailServerError as exc:
            say("error", exc.message)
            logger.warning("mail listener: %s failed (%s), reconnecting", exc.step, type(exc).__name__)
            stop.wait(backoff.next_delay())
        except Exception as exc:  # a failing store must not end the listener
            say(
                "error",
                _("Storing fetched mail failed (%(error)s); it will be fetched again.") % {"error": type(exc).__name__},
            )
            logger.error("mail listener: %s while storing fetched mail", type(exc).__name__, exc_info=True)
            stop.wait(backoff.next_delay())
    say("stopped", "")


def _tidy(session: ImapSession, current: Position, position: Callable[[], tuple[int | None, int]]) -> None:
    """On connecting, mark what was stored but never marked (a crash in between)."""
    stored_validity, last_uid = position()
    if stored_validity != current.uidvalidity:
        return
    leftovers = session.left_unmarked(last_uid)
    if leftovers:
        try:
            session.mark_processed(leftovers)
        except MailServerError as exc:
            logger.warning("mail listener: marking earlier stored mail failed at %s", exc.step)
            if session.broken:
                raise


def _drain(
    session: ImapSession,
    current: Position,
    position: Callable[[], tuple[int | None, int]],
    store: Callable[[int, list[FetchedMail]], None],
    batch: int,
    say: Callable[[str, str], None],
) -> None:
    """Fetch, store, mark everything above the stored position."""
    stored_validity, last_uid = position()
    if stored_validity is not None and stored_validity != current.uidvalidity:
        logger.warning("mail listener: UIDVALIDITY changed, fetching the whole folder again")
        last_uid = 0
    uids = session.new_uids(last_uid)
    if not uids:
        return
    say("fetching", _("%(count)s new messages.") % {"count": len(uids)})
    for mails in session.fetch(uids, batch=batch):
        store(current.uidvalidity, mails)  # commits; raising leaves everything for the next round
        try:
            session.mark_processed([mail.uid for mail in mails])
        except MailServerError as exc:
            # The stored position already keeps these from being fetched again.
            logger.warning("mail listener: marking processed mail failed at %s", exc.step)
            if session.broken:
                raise
